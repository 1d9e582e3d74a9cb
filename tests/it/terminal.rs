//! gv on a real terminal: tmux gives it an 80-column pseudo-terminal, the test reads the
//! screen back. The install bar must fit the width (a wrapped bar redraws as a staircase)
//! and Ctrl-C must leave no half-drawn bar behind.

use crate::support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::Sandbox;
use support::mirror::{Fault, MirrorServer, Served, fake_sdk_padded};

/// One tmux server of its own, 80x24, running `script` in `sh`.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(sb: &Sandbox, env: &[(&str, String)], script: &str) -> Tmux {
        let socket = format!("gv-test-{}", std::process::id());
        let status = Command::new("tmux")
            .args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", "80", "-y", "24", "sh", "-c", script])
            .current_dir(sb.work(""))
            .env_clear()
            .envs(sb.env())
            .envs(env.iter().map(|(k, v)| (*k, v)))
            .env("TERM", "xterm-256color")
            .status()
            .unwrap_or_else(|e| {
                panic!("tmux is required for this test (apt-get install tmux): {e}")
            });
        assert!(status.success(), "tmux new-session failed");
        Tmux { socket }
    }

    /// The screen, wrapped lines joined back (`-J`): a line longer than 80 columns
    /// wrapped on screen.
    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-J", "-t", "0"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn wait_for(&self, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.screen();
            if cond(&screen) {
                return screen;
            }
            assert!(Instant::now() < deadline, "no {what} on screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn send_ctrl_c(&self) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "0", "C-c"])
            .status()
            .expect("tmux send-keys");
        assert!(status.success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn is_bar(line: &str) -> bool {
    line.trim_start().starts_with('[') && line.contains("/s")
}

#[test]
fn the_install_bar_fits_80_columns_and_ctrl_c_clears_it() {
    let sb = Sandbox::new();
    // ~4 MB at 16 KB / 40 ms: ten seconds, time enough to look and to interrupt.
    let server = MirrorServer::start(vec![
        Served::archive("1.22.10", fake_sdk_padded("1.22.10", 4_000_000)).with_fault(
            Fault::Trickle {
                chunk: 16 * 1024,
                delay: Duration::from_millis(40),
            },
        ),
    ]);
    let gv = assert_cmd::cargo::cargo_bin("gv");
    // The shell outlives the interrupt to print gv's status (a trap with a command, unlike
    // an ignored signal, is not inherited: gv gets Ctrl-C as it would at a prompt).
    let script = format!(
        "trap 'true' INT; '{}' install 1.22.10; echo \"rc=$?\"; sleep 600",
        gv.display()
    );
    let tmux = Tmux::start(
        &sb,
        &[
            ("GV_GO_MIRROR", server.url()),
            (
                "GV_GO_INDEX",
                "http://127.0.0.1:9/dl/?mode=json&include=all".into(),
            ),
        ],
        &script,
    );
    let screen = tmux.wait_for("progress bar", |s| {
        s.lines().any(|l| is_bar(l) && l.contains("KiB"))
    });
    for line in screen.lines() {
        assert!(
            line.chars().count() <= 80,
            "a line wider than the terminal ({} columns):\n{line}\n\n{screen}",
            line.chars().count()
        );
    }
    assert!(
        screen.lines().any(|l| l.starts_with("downloading ")),
        "what is downloading, on its own line:\n{screen}"
    );

    tmux.send_ctrl_c();
    let screen = tmux.wait_for("exit status", |s| s.contains("rc="));
    assert!(
        screen.contains("rc=130"),
        "died of the interrupt:\n{screen}"
    );
    assert!(screen.contains("gv: interrupted"), "{screen}");
    assert!(
        !screen.lines().any(is_bar),
        "the bar was left on screen:\n{screen}"
    );
    assert!(
        !sb.root().join("versions/1.22.10").exists(),
        "nothing half-installed"
    );
}
