//! README.md's console samples, run. Every ```console block runs, in the README's order,
//! in one fresh HOME with gv's default layout, real Go SDKs from a loopback go.dev
//! look-alike and real bash, and must print what the README shows. Paths, sizes and
//! addresses that differ from run to run are normalised with snapbox's redactions.
//!
//! The README source says how a block runs, in an HTML comment right above it:
//! - `<!-- sample: not run: REASON -->`: the block cannot run here (go.dev itself, a real
//!   corporate proxy, an interactive debugger); the test counts these and lists them.
//! - `<!-- sample` … `-->`: shell lines run first, quietly (`set -e`), in the same shell as
//!   the block's commands (a `cd` there holds for them). A line `fixture: NAME` asks for
//!   one of the fixtures below, written by the test before the block runs; `home: own`
//!   runs the block in a HOME of its own, fresh and thrown away after (what a reader sees
//!   on a new machine, without disturbing the samples that build on each other).
//!
//! Each block starts in `$HOME`. `$ ` lines are commands; the lines after each, up to the
//! next command, are its output, stdout and stderr together as a terminal shows them. A
//! line of just `…` in the README stands for any lines, a `…` within a line for any text.

use crate::gofixtures::proxy::{self, ModuleVersion};
use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::mirror::{MirrorServer, Served};

/// One ```console block.
#[derive(Debug)]
struct Sample {
    /// The line of its opening fence, for messages.
    line: usize,
    not_run: Option<String>,
    setup: Vec<String>,
    fixtures: Vec<String>,
    own_home: bool,
    /// `$ ` lines and the output shown after each.
    commands: Vec<(String, String)>,
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md")
}

fn parse(text: &str) -> Vec<Sample> {
    let lines: Vec<&str> = text.lines().collect();
    let mut samples = Vec::new();
    let mut directive: Option<(usize, Vec<&str>)> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("<!-- sample") {
            let start = i;
            let mut body = vec![line];
            while !lines[i].trim_end().ends_with("-->") {
                i += 1;
                body.push(lines[i]);
            }
            directive = Some((start, body));
            i += 1;
            continue;
        }
        if line == "```console" {
            let fence = i + 1;
            let mut block = Vec::new();
            i += 1;
            while lines[i] != "```" {
                block.push(lines[i]);
                i += 1;
            }
            let Directive {
                not_run,
                setup,
                fixtures,
                own_home,
            } = match directive.take() {
                // The directive belongs to this block only if nothing but it came between.
                Some((at, body)) if at + body.len() + 1 == fence => read_directive(&body),
                Some((at, _)) => panic!(
                    "README.md:{}: a sample directive must sit right above its ```console block",
                    at + 1
                ),
                None => Directive::default(),
            };
            samples.push(Sample {
                line: fence,
                not_run,
                setup,
                fixtures,
                own_home,
                commands: commands(&block, fence),
            });
        }
        i += 1;
    }
    samples
}

/// What the comment above a block says.
#[derive(Default)]
struct Directive {
    not_run: Option<String>,
    setup: Vec<String>,
    fixtures: Vec<String>,
    own_home: bool,
}

fn read_directive(body: &[&str]) -> Directive {
    let first = body[0];
    if let Some(rest) = first.strip_prefix("<!-- sample: not run:") {
        let reason = rest.trim_end().trim_end_matches("-->").trim().to_string();
        assert!(!reason.is_empty(), "`not run` needs a reason: {first}");
        return Directive {
            not_run: Some(reason),
            ..Directive::default()
        };
    }
    assert_eq!(
        first.trim_end().trim_end_matches("-->").trim(),
        "<!-- sample",
        "unknown directive: {first}"
    );
    let mut directive = Directive::default();
    for line in &body[1..] {
        let line = line.trim_end().trim_end_matches("-->").trim_end();
        if let Some(name) = line.strip_prefix("fixture: ") {
            directive.fixtures.push(name.trim().to_string());
        } else if line == "home: own" {
            directive.own_home = true;
        } else {
            // Blank lines are kept: a here-document in the set-up may need them.
            directive.setup.push(line.to_string());
        }
    }
    while directive.setup.last().is_some_and(|l| l.trim().is_empty()) {
        directive.setup.pop();
    }
    directive
}

fn commands(block: &[&str], fence: usize) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in block {
        match line.strip_prefix("$ ") {
            Some(command) => out.push((command.to_string(), String::new())),
            None => {
                let (_, output) = out.last_mut().unwrap_or_else(|| {
                    panic!("README.md:{fence}: a console block must start with a `$ ` command")
                });
                output.push_str(line);
                output.push('\n');
            }
        }
    }
    out
}

/// The world the README's reader is in: a HOME of their own, gv on PATH with its shims,
/// and "go.dev" on loopback serving the real SDKs the samples install.
struct World {
    dir: tempfile::TempDir,
    mirror: MirrorServer,
    /// Serves the checksum database the samples' installs are proven by.
    #[allow(dead_code)]
    sumdb: support::goproxy::ProxyServer,
    /// GOSUMDB naming it: its key and URL.
    gosumdb: String,
    gv_dir: PathBuf,
}

impl World {
    fn new() -> World {
        let dir = tempfile::Builder::new()
            .prefix("gv-readme-")
            .tempdir()
            .expect("tempdir");
        std::fs::create_dir_all(dir.path().join("home")).expect("mkdir home");
        let archive = |version: &str| std::fs::read(support::real_archive(version)).expect("SDK");
        let served = vec![
            Served::archive(support::GO_A, archive(support::GO_A)),
            Served::archive(support::GO_B, archive(support::GO_B)),
            Served::archive("1.25.5", archive("1.25.5")),
            Served::archive_for(
                support::GO_A,
                "darwin",
                "arm64",
                std::fs::read(support::real_darwin_arm64_archive(support::GO_A))
                    .expect("darwin SDK"),
            ),
        ];
        // The checksum database every install asks for its proof: a loopback one under
        // sum.golang.org's name (its own key), vouching for the served archives.
        let mut db = support::sumdb::TestDb::new("sum.golang.org", 31);
        db.add_filler(40);
        for served in &served {
            let (version, platform) = served
                .filename
                .strip_prefix("go")
                .and_then(|n| n.strip_suffix(".tar.gz"))
                .and_then(|n| n.rsplit_once('.'))
                .expect("a go.dev archive name");
            let mv = format!("v0.0.1-go{version}.{platform}");
            db.add_toolchain(&mv, &support::goproxy::tarball_h1(&served.bytes, &mv));
        }
        let gosumdb = format!("{} ", db.vkey());
        let sumdb = support::goproxy::ProxyServer::start(
            Vec::new(),
            Some(std::sync::Arc::new(std::sync::Mutex::new(db))),
        );
        let gosumdb = format!("{gosumdb}{}", sumdb.db_url());
        let mirror = MirrorServer::start(served);
        let gv_dir = assert_cmd::cargo::cargo_bin("gv")
            .parent()
            .expect("gv's directory")
            .to_path_buf();
        World {
            dir,
            mirror,
            sumdb,
            gosumdb,
            gv_dir,
        }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        let home = self.home();
        vec![
            ("HOME", home.display().to_string()),
            (
                "PATH",
                format!(
                    "{}:{}:{}:/usr/local/bin:/usr/bin:/bin",
                    home.join(".local/share/gv/shims").display(),
                    home.join("go/bin").display(),
                    self.gv_dir.display()
                ),
            ),
            ("GV_GO_MIRROR", self.mirror.url()),
            // The loopback "go.dev": its index is the official one, whose sha256 is
            // authentic, so an install keeps api/, doc/, misc/ and test/ as go.dev's does.
            ("GV_GO_INDEX", self.mirror.index_url()),
            ("GOSUMDB", self.gosumdb.clone()),
            (
                "GV_SHIM_BINARY",
                support::shim_binary().display().to_string(),
            ),
            ("NO_COLOR", "1".into()),
            ("TERM", "dumb".into()),
            ("LANG", "C.UTF-8".into()),
            // The samples' go commands never reach out.
            ("GOPROXY", "off".into()),
            ("GOTELEMETRY", "off".into()),
            ("GOFLAGS", "-modcacherw".into()),
        ]
    }

    /// Shell lines that make fixture `name` (files written here, exports for the block).
    fn fixture(&self, name: &str) -> String {
        match name {
            // greet v1.0.0 and wave v1.0.0 + v1.1.0 in a file:// module proxy.
            "tools-proxy" => {
                let hello = |module: &'static str, version: &'static str| ModuleVersion {
                    module,
                    version,
                    files: vec![(
                        "main.go",
                        proxy::hello_command(module.rsplit('/').next().unwrap_or(module), version),
                    )],
                };
                let dir = proxy::write(
                    &self.dir.path().join("proxy"),
                    &[
                        hello("example.com/greet", "v1.0.0"),
                        hello("example.com/wave", "v1.0.0"),
                        hello("example.com/wave", "v1.1.0"),
                    ],
                );
                format!(
                    "export GOPROXY='file://{}' GONOSUMDB=example.com GONOSUMCHECK=1 GOSUMDB=off",
                    dir.display()
                )
            }
            // The tests' vulnerability database (support::vulndb: entries that affect 1.22.10
            // and not 1.23.9) as a file:// copy, its summaries plain.
            "vulndb" => {
                let dir = self.dir.path().join("vulndb");
                support::vulndb::VulnDb::fixture()
                    .with_summary("GO-2025-0001", "a sample standard-library vulnerability")
                    .with_summary("GO-2025-0002", "a sample toolchain vulnerability")
                    .write_to(&dir);
                format!("export GOVULNDB='file://{}'", dir.display())
            }
            other => panic!("no README fixture named `{other}`"),
        }
    }

    /// Runs `sample` and returns the commands with what they printed, as the README
    /// shows them.
    fn run(&self, sample: &Sample) -> String {
        if !sample.own_home {
            return self.run_here(sample);
        }
        // The shared HOME steps aside for a fresh one at the same path (so the paths the
        // sample prints read the same), and comes back after.
        let home = self.home();
        let aside = self.dir.path().join("home.aside");
        std::fs::rename(&home, &aside).expect("move HOME aside");
        std::fs::create_dir(&home).expect("mkdir fresh HOME");
        let shown = self.run_here(sample);
        std::fs::remove_dir_all(&home).expect("remove the fresh HOME");
        std::fs::rename(&aside, &home).expect("bring HOME back");
        shown
    }

    fn run_here(&self, sample: &Sample) -> String {
        const MARK: char = '\u{1e}';
        let mut script = String::from("set -u\nexec 2>&1\ncd \"$HOME\"\n");
        for name in &sample.fixtures {
            script.push_str(&self.fixture(name));
            script.push('\n');
        }
        // The set-up's output is not part of the sample; its failure is the test's.
        let log = self.dir.path().join("setup.log");
        script.push_str(&format!(
            "{{ set -e\n{}\nset +e\n}} >'{}' 2>&1\n",
            sample.setup.join("\n"),
            log.display()
        ));
        for (i, (command, _)) in sample.commands.iter().enumerate() {
            script.push_str(&format!("printf '{MARK}{i}\\n'\n{command}\n"));
        }
        let out = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(self.home())
            .env_clear()
            .envs(self.env())
            .output()
            .expect("run bash");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut parts = text.split(MARK);
        let before = parts.next().unwrap_or_default();
        assert!(
            before.is_empty() && text.contains(MARK),
            "README.md:{}: the sample's set-up failed:\n{before}\n{}",
            sample.line,
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        let mut shown = String::new();
        for (part, (command, _)) in parts.zip(&sample.commands) {
            let output = part.split_once('\n').map_or("", |(_, rest)| rest);
            shown.push_str(&format!("$ {command}\n"));
            // Off a terminal a long download prints progress lines; at the terminal the
            // README describes, that is a bar, gone once the download is done.
            for line in output.lines().filter(|l| !regex(PROGRESS).is_match(l)) {
                shown.push_str(line);
                shown.push('\n');
            }
        }
        shown
    }

    fn redactions(&self) -> snapbox::Redactions {
        let mut r = snapbox::Redactions::new();
        r.insert("[HOME]", self.home()).expect("redaction");
        r.insert("[MIRROR]", self.mirror.url()).expect("redaction");
        r.insert("[VULNDB]", self.dir.path().join("vulndb"))
            .expect("redaction");
        r.insert("[SIZE]", regex(SIZE)).expect("redaction");
        r.insert("[HEX]", regex(HEX)).expect("redaction");
        r.insert("[RAND]", regex(RAND)).expect("redaction");
        r.insert("[GOROUTINE]", regex(GOROUTINE))
            .expect("redaction");
        r.insert("[THREAD]", regex(THREAD)).expect("redaction");
        r.insert("[TIME]", regex(TIME)).expect("redaction");
        r.insert("[BUILDID]", regex(BUILD_ID)).expect("redaction");
        r
    }
}

/// A plain progress line: `  25% (17.23 MiB of 68.91 MiB, 9.8 MiB/s)`.
const PROGRESS: &str = r"^  \d+% \(.* of .*/s\)$";
/// `65.1 MiB`, `868 B`: sizes depend on how the SDK archives were packed.
const SIZE: &str = r"(?<redacted>\b\d+(\.\d+)? (B|KiB|MiB|GiB))\b";
/// Addresses in stack traces.
const HEX: &str = r"\b0x(?<redacted>[0-9a-f]+)\b";
/// How long a test took: `(0.00s)`, `0.004s`.
const TIME: &str = r"\b(?<redacted>\d+\.\d+s)\b";
/// The number the runtime gave the goroutine that panicked.
const GOROUTINE: &str = r"goroutine (?<redacted>\d+) gp=";
/// The runtime's thread (M) it ran on: 0 on an idle machine, another under load.
const THREAD: &str = r" m=(?<redacted>\d+) mp=";
/// A GNU build ID (40 hex digits; `xx/` and 38 more in a `.build-id` path; 12 when
/// shortened): a hash of everything that went into the link.
const BUILD_ID: &str = r"\b(?<redacted>[0-9a-f]{40}|[0-9a-f]{2}/[0-9a-f]{38}|[0-9a-f]{12})\b";
/// The random part of a temporary name, and the hash gv gives an IDE link.
const RAND: &str = r"(gv-build-|api-)(?<redacted>[A-Za-z0-9]{6,16})\b";

fn regex(pattern: &str) -> regex::Regex {
    regex::Regex::new(pattern).expect("pattern")
}

/// The README's text as snapbox expects it: placeholders where runs differ.
fn expected(sample_text: &str) -> String {
    let mut text = sample_text
        .lines()
        .map(|line| if line == "…" { "..." } else { line })
        .collect::<Vec<_>>()
        .join("\n");
    text.push('\n');
    let text = text
        .replace('…', "[..]")
        .replace("/home/me", "[HOME]")
        .replace("https://go.dev/dl/", "[MIRROR]")
        // The `vulndb` fixture's file:// database.
        .replace("/srv/vulndb", "[VULNDB]");
    let text = regex(SIZE).replace_all(&text, "[SIZE]");
    let text = regex(HEX).replace_all(&text, "0x[HEX]");
    let text = regex(GOROUTINE).replace_all(&text, "goroutine [GOROUTINE] gp=");
    let text = regex(THREAD).replace_all(&text, " m=[THREAD] mp=");
    let text = regex(TIME).replace_all(&text, "[TIME]");
    let text = regex(BUILD_ID).replace_all(&text, "[BUILDID]");
    regex(RAND).replace_all(&text, "${1}[RAND]").into_owned()
}

#[test]
fn every_console_sample_in_the_readme_prints_what_it_shows() {
    let samples = parse(&readme());
    let world = World::new();
    let assert = snapbox::Assert::new().redact_with(world.redactions());
    let mut ran = 0;
    let mut not_run = Vec::new();
    // Every sample runs (later ones build on earlier ones); all mismatches are reported.
    let mut failures = Vec::new();
    for sample in &samples {
        if let Some(reason) = &sample.not_run {
            not_run.push(format!("README.md:{}: {reason}", sample.line));
            continue;
        }
        let shown: String = sample
            .commands
            .iter()
            .map(|(command, output)| format!("$ {command}\n{output}"))
            .collect();
        let actual = world.run(sample);
        if let Err(err) = assert.try_eq(
            Some(&format!("README.md:{}", sample.line)),
            actual.into(),
            expected(&shown).into(),
        ) {
            failures.push(format!(
                "README.md:{}: the sample no longer matches:\n{err}",
                sample.line
            ));
        }
        ran += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    eprintln!(
        "README: {ran} console samples run, {} not run:\n  {}",
        not_run.len(),
        not_run.join("\n  ")
    );
    assert!(ran >= 10, "only {ran} samples ran");
    assert!(
        not_run.len() < ran,
        "more samples are marked `not run` than run: {not_run:#?}"
    );
}

/// The parser itself: directives, commands and their output.
#[test]
fn samples_are_read_with_their_directives() {
    let text = "intro\n<!-- sample: not run: needs go.dev -->\n```console\n$ gv install 1.22\ndownloading\n```\n\n<!-- sample\nfixture: tools-proxy\ncd ~/proj\n-->\n```console\n$ gv current\n1.22.10\n$ gv list\n```\n<!-- sample\nhome: own\n-->\n```console\n$ gv list\n```\n";
    let samples = parse(text);
    assert_eq!(samples.len(), 3);
    assert_eq!(samples[0].not_run.as_deref(), Some("needs go.dev"));
    assert_eq!(samples[1].fixtures, ["tools-proxy"]);
    assert!(!samples[1].own_home);
    assert!(samples[2].own_home && samples[2].setup.is_empty());
    assert_eq!(samples[1].setup, ["cd ~/proj"]);
    assert_eq!(
        samples[1].commands,
        [
            ("gv current".to_string(), "1.22.10\n".to_string()),
            ("gv list".to_string(), String::new())
        ]
    );
    assert_eq!(
        expected("$ x\n…\nin /home/me/a (65.1 MiB) at 0xc0001\n"),
        "$ x\n...\nin [HOME]/a ([SIZE]) at 0x[HEX]\n"
    );
}
