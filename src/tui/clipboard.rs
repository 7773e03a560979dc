//! Where a copy goes. Every copy is written as OSC 52 to the terminal (which reaches the local
//! clipboard over SSH and inside tmux) and also handed to the system clipboard through
//! arboard; each path reports its own outcome, so a failure is a message, never a crash.

use std::io::Write;

use crossterm::clipboard::CopyToClipboard;

use super::action::{CopyReport, CopyWhat};

pub trait ClipboardSink {
    /// The path's name in the status line ("OSC 52").
    fn name(&self) -> &'static str;
    fn copy(&mut self, text: &str) -> Result<(), String>;
}

/// OSC 52 to a terminal: `ESC ] 52 ; c ; base64 ST`. The terminal cannot say whether it took
/// it, so a write that succeeds counts as done.
#[derive(Debug)]
pub struct Osc52<W: Write> {
    out: W,
}

impl<W: Write> Osc52<W> {
    pub fn new(out: W) -> Self {
        Osc52 { out }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> ClipboardSink for Osc52<W> {
    fn name(&self) -> &'static str {
        "OSC 52"
    }

    fn copy(&mut self, text: &str) -> Result<(), String> {
        crossterm::execute!(self.out, CopyToClipboard::to_clipboard_from(text))
            .map_err(|e| format!("the terminal could not be written: {e}"))
    }
}

/// The system clipboard (X11 or Wayland). One handle lives for the whole run, because on
/// Linux the copied text is served by this process and dies with its handle. It is opened at
/// the first copy, so a machine without a display pays nothing until then.
#[derive(Default)]
pub struct SystemClipboard {
    handle: Option<Result<arboard::Clipboard, String>>,
}

impl ClipboardSink for SystemClipboard {
    fn name(&self) -> &'static str {
        "the system clipboard"
    }

    fn copy(&mut self, text: &str) -> Result<(), String> {
        let handle = self
            .handle
            .get_or_insert_with(|| arboard::Clipboard::new().map_err(|e| short_reason(&e)));
        match handle {
            Ok(clipboard) => clipboard.set_text(text).map_err(|e| short_reason(&e)),
            Err(reason) => Err(reason.clone()),
        }
    }
}

/// arboard's reason in a few words: the status line has one line for every path's outcome.
fn short_reason(error: &arboard::Error) -> String {
    match error {
        arboard::Error::ClipboardNotSupported => "no X11 or Wayland display".into(),
        arboard::Error::ClipboardOccupied => "busy, try again".into(),
        arboard::Error::ContentNotAvailable => "nothing to read".into(),
        arboard::Error::ConversionFailure => "the text could not be converted".into(),
        // arboard's text for these starts "Unknown error while interacting with the
        // clipboard:"; what follows is the reason (on Linux, mostly no X server to talk to).
        arboard::Error::Unknown { description } => {
            let reason = description.lines().next().unwrap_or_default();
            if reason.contains("X11") || reason.to_lowercase().contains("connect") {
                "no X11 or Wayland display".into()
            } else {
                super::text::truncate(reason, 40)
            }
        }
        other => {
            let text = other.to_string();
            super::text::truncate(text.lines().next().unwrap_or_default(), 40)
        }
    }
}

/// A clipboard in memory: what the tests read back.
#[derive(Default)]
pub struct MemoryClipboard {
    pub copied: Vec<String>,
}

impl ClipboardSink for MemoryClipboard {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn copy(&mut self, text: &str) -> Result<(), String> {
        self.copied.push(text.to_string());
        Ok(())
    }
}

/// Copies through every sink and reports what each did.
pub fn copy_all(sinks: &mut [&mut dyn ClipboardSink], what: CopyWhat, text: &str) -> CopyReport {
    CopyReport {
        what,
        chars: text.chars().count(),
        paths: sinks
            .iter_mut()
            .map(|sink| (sink.name(), sink.copy(text)))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arboards_reasons_are_a_few_words() {
        let unknown = |description: &str| arboard::Error::Unknown {
            description: description.into(),
        };
        let unreachable = unknown("X11 server connection timed out because it was unreachable");
        assert_eq!(short_reason(&unreachable), "no X11 or Wayland display");
        assert_eq!(
            short_reason(&arboard::Error::ClipboardNotSupported),
            "no X11 or Wayland display"
        );
        let other = unknown("the selection owner went away");
        assert_eq!(short_reason(&other), "the selection owner went away");
    }

    #[test]
    fn osc52_writes_the_base64_text_with_a_string_terminator() {
        let mut osc = Osc52::new(Vec::new());
        osc.copy("foo").unwrap();
        assert_eq!(osc.into_inner(), b"\x1b]52;c;Zm9v\x1b\\");
    }

    struct Broken;

    impl ClipboardSink for Broken {
        fn name(&self) -> &'static str {
            "broken"
        }

        fn copy(&mut self, _: &str) -> Result<(), String> {
            Err("no display".into())
        }
    }

    #[test]
    fn every_path_is_tried_and_reported() {
        let mut memory = MemoryClipboard::default();
        let mut broken = Broken;
        let report = copy_all(&mut [&mut broken, &mut memory], CopyWhat::Token, "tok");
        assert_eq!(
            report.paths,
            [
                ("broken", Err("no display".to_string())),
                ("memory", Ok(()))
            ]
        );
        assert_eq!(report.chars, 3);
        assert_eq!(memory.copied, ["tok"]);
    }
}
