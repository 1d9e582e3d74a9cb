//! Known vulnerabilities end to end with REAL Go SDKs (GO_A, GO_B) and a loopback
//! vulnerability database over HTTP (support/vulndb.rs: its entries affect 1.22.10, not
//! 1.23.9): the version `gv check` judges is the one the real go reports, `gv check`
//! fails CI on the vulnerable pin and passes on the other, `gv doctor` names the IDs, and
//! the shim says it once while the build goes on.

use crate::support::vulndb::{VulnDb, VulnDbServer};
use crate::support::{self, GO_A, GO_B, Sandbox};

#[test]
fn a_real_vulnerable_pin_fails_the_check_and_still_builds() {
    let sb = Sandbox::new();
    sb.real_install(GO_A);
    sb.real_install(GO_B);
    sb.rehash();
    let server = VulnDbServer::start(VulnDb::fixture());
    let a = sb.work("a");
    sb.write("a/.go-version", &format!("{GO_A}\n"));
    sb.write("a/go.mod", "module example.com/a\n\ngo 1.22\n");
    sb.write(
        "a/main.go",
        "package main\n\nfunc main() { println(\"hi\") }\n",
    );
    let b = sb.work("b");
    sb.write("b/.go-version", &format!("{GO_B}\n"));
    let gv = |dir: &std::path::Path, args: &[&str]| {
        sb.gv(dir)
            .args(args)
            .env("GOVULNDB", server.url())
            // No release index anywhere: support is simply not judged.
            .env("GV_GO_MIRROR", "http://127.0.0.1:9/dl/")
            .env(
                "GV_GO_INDEX",
                "http://127.0.0.1:9/dl/?mode=json&include=all",
            )
            .output()
            .expect("gv")
    };
    let go = |dir: &std::path::Path, args: &[&str]| {
        sb.shim("go", dir)
            .args(args)
            .env("GOCACHE", sb.path().join("cache/go-build"))
            .env("GOPATH", sb.path().join("home/go"))
            .env("GOPROXY", "off")
            .env("GOTELEMETRY", "off")
            .output()
            .expect("go")
    };

    // The version judged is the one that runs.
    let version = go(&a, &["env", "GOVERSION"]);
    assert_eq!(support::stdout(&version).trim(), format!("go{GO_A}"));

    let check = gv(&a, &["check"]);
    let text = support::stdout(&check);
    assert_eq!(
        check.status.code(),
        Some(1),
        "{text}{}",
        support::stderr(&check)
    );
    assert!(
        text.contains(&format!("FAIL Go {GO_A}"))
            && text.contains("GO-2025-0001 (CVE-2025-0001)")
            && text.contains("fixed in 1.22.12"),
        "{text}"
    );
    let ok = gv(&b, &["check"]);
    assert_eq!(ok.status.code(), Some(0), "{}", support::stdout(&ok));

    let doctor = support::stdout(&gv(&a, &["doctor"]));
    assert!(
        doctor.contains(
            "warn vulnerabilities: Go 1.22.10: 2 known vulnerabilities (GO-2025-0001, GO-2025-0002)"
        ),
        "{doctor}"
    );

    // The real go builds, with the line said once (today) and never again.
    let build = go(&a, &["build", "-o", "hi", "."]);
    assert!(build.status.success(), "{}", support::stderr(&build));
    assert_eq!(
        support::stderr(&build)
            .matches("known vulnerabilities")
            .count(),
        1,
        "{}",
        support::stderr(&build)
    );
    assert!(a.join("hi").is_file());
    let again = go(&a, &["version"]);
    assert!(again.status.success());
    assert!(!support::stderr(&again).contains("vulnerab"));
    assert!(support::stdout(&again).contains(&format!("go{GO_A}")));
}
