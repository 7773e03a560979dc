//! The real binary in a real terminal: tmux runs the workbench, types into it, reads the token
//! it copied through OSC 52 back from tmux's paste buffer, resizes it, and quits it.
//!
//! Needs tmux (scripts/test installs it). Without it this test fails rather than skips.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_tokenbench");

/// A tmux server of our own (its own socket, no user configuration), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(width: u16, height: u16, command: &str) -> Tmux {
        match Command::new("tmux").arg("-V").output() {
            Ok(out) if out.status.success() => {}
            _ => panic!(
                "the end-to-end test needs tmux: install it (apt-get install tmux) or run scripts/test"
            ),
        }
        let tmux = Tmux {
            socket: format!("tokenbench-e2e-{}", std::process::id()),
        };
        let (w, h) = (width.to_string(), height.to_string());
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            &w,
            "-y",
            &h,
            command,
        ]);
        // Let programs in the pane set tmux's clipboard (a paste buffer) with OSC 52.
        tmux.run(&["set-option", "-s", "set-clipboard", "on"]);
        tmux
    }

    fn output(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.output(args);
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend(keys);
        self.run(&args);
    }

    fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "e2e", "-l", "--", text]);
    }

    fn pane(&self, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", "e2e", format])
            .trim()
            .to_string()
    }

    /// Waits until `check` holds, failing with the screen when it does not within 10 s.
    fn wait_for(&self, what: &str, check: impl Fn(&Tmux) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if check(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "waited in vain for {what}; alternate screen, mouse: {}; the screen:\n{}",
            self.pane("#{alternate_on} #{mouse_any_flag}"),
            self.screen()
        );
    }

    fn wait_for_text(&self, text: &str) {
        self.wait_for(&format!("'{text}' on screen"), |t| {
            t.screen().contains(text)
        });
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.output(&["kill-server"]);
    }
}

#[test]
fn edit_copy_resize_and_quit_in_tmux() {
    let tmux = Tmux::start(
        100,
        30,
        &format!("{BIN} tui --now 2026-11-22T10:00:00Z; echo \"exit status $?\"; sleep 60"),
    );
    tmux.wait_for_text("signature valid");
    assert_eq!(tmux.pane("#{alternate_on} #{mouse_any_flag}"), "1 1");

    // Edit the topic: down to it, Enter, type, Enter.
    tmux.keys(&["Down", "Enter"]);
    tmux.type_text("-e2e");
    tmux.keys(&["Enter"]);
    tmux.wait_for_text("teammeeting-e2e");

    // Copy: OSC 52 reaches tmux, which keeps it as a paste buffer.
    tmux.keys(&["c"]);
    tmux.wait_for_text("copied the token");
    assert!(tmux.screen().contains("via OSC 52"));
    tmux.wait_for("a paste buffer", |t| {
        t.output(&["show-buffer"]).status.success()
    });
    let token = tmux.run(&["show-buffer"]);
    let inspect = Command::new(BIN)
        .args([
            "inspect",
            token.trim(),
            "--json",
            "--now",
            "2026-11-22T10:00:05Z",
        ])
        .output()
        .unwrap();
    assert!(
        inspect.status.success(),
        "{}",
        String::from_utf8_lossy(&inspect.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(report["platform"], "zoom");
    assert_eq!(report["claims"]["tpc"], "teammeeting-e2e");
    assert_eq!(report["signature"], "valid");

    // Very small, then back: it keeps running and draws the full screen again.
    tmux.run(&["resize-window", "-t", "e2e", "-x", "3", "-y", "2"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux.run(&["resize-window", "-t", "e2e", "-x", "100", "-y", "30"]);
    tmux.wait_for_text("signature valid");
    assert!(!tmux.screen().contains("exit status"), "still running");

    // q quits with status 0 and the terminal is restored.
    tmux.keys(&["q"]);
    // The shell around it prints the exit status (tmux's own pane_dead_status is racy).
    tmux.wait_for_text("exit status");
    assert!(tmux.screen().contains("exit status 0"), "{}", tmux.screen());
    assert_eq!(
        tmux.pane("#{alternate_on} #{mouse_any_flag}"),
        "0 0",
        "the terminal is restored"
    );
}
