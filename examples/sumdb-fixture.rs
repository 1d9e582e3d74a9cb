//! Writes a static checksum database for benchmarks (scripts/bench-install --source
//! goproxy): the test database of tests/it/support/sumdb.rs holding the given go.sum records,
//! as files a plain static HTTP server can serve. Prints the verifier key for GOSUMDB.
//!
//! Usage: cargo run --example sumdb-fixture -- OUT_DIR GO_SUM_FILE...

#[path = "../tests/it/support/sumdb.rs"]
mod sumdb;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((out, sums)) = args.split_first() else {
        eprintln!("usage: sumdb-fixture OUT_DIR GO_SUM_FILE...");
        std::process::exit(2);
    };
    let mut db = sumdb::TestDb::new("sum.gv.test", 7);
    db.add_filler(1000);
    for file in sums {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| {
            eprintln!("sumdb-fixture: {file}: {e}");
            std::process::exit(1)
        });
        let module_version = text
            .split_whitespace()
            .nth(1)
            .unwrap_or_else(|| {
                eprintln!("sumdb-fixture: {file} holds no go.sum line");
                std::process::exit(1)
            })
            .to_string();
        db.add(
            Some(&format!("golang.org/toolchain@{module_version}")),
            &text,
        );
        db.add_filler(3);
    }
    if let Err(e) = db.write_static(std::path::Path::new(out)) {
        eprintln!("sumdb-fixture: {out}: {e}");
        std::process::exit(1);
    }
    println!("{}", db.vkey());
}
