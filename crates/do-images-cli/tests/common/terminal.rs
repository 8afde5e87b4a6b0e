//! doimg on a pseudo-terminal: its stdin, stdout and stderr are the
//! terminal a user types at, so that it asks its questions, and the test
//! answers them when it chooses.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long a test waits for a prompt, or for doimg to end.
const PATIENCE: Duration = Duration::from_secs(60);

/// A running doimg on a pseudo-terminal, and what it has shown so far.
pub struct Terminal {
    child: Child,
    keyboard: File,
    screen: Receiver<Vec<u8>>,
    shown: String,
}

impl Terminal {
    /// Starts `command` with a new pseudo-terminal as stdin, stdout and
    /// stderr.
    pub fn start(mut command: Command) -> Self {
        let (mut controller, mut device) = (0, 0);
        // SAFETY: openpty writes two file descriptors into the integers it
        // is given; the name, termios and window size pointers may be null.
        let opened = unsafe {
            libc::openpty(
                &mut controller,
                &mut device,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            )
        };
        assert_eq!(opened, 0, "openpty: {}", io::Error::last_os_error());
        // SAFETY: both descriptors were just opened and are owned by nothing
        // else.
        let (controller, device) = unsafe {
            (
                OwnedFd::from_raw_fd(controller),
                OwnedFd::from_raw_fd(device),
            )
        };
        let stdio = || Stdio::from(device.try_clone().expect("a copy of the terminal"));
        command.stdin(stdio()).stdout(stdio()).stderr(stdio());
        let child = command.spawn().expect("doimg starts");
        // Only the child holds the terminal now, so reading ends when it
        // exits.
        drop(command);
        drop(device);
        let keyboard = File::from(controller.try_clone().expect("a copy of the terminal"));
        let mut reader = File::from(controller);
        let (sender, screen) = channel();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            // Linux answers EIO once the other side is closed.
            while let Ok(read @ 1..) = reader.read(&mut buffer) {
                if sender.send(buffer[..read].to_vec()).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            keyboard,
            screen,
            shown: String::new(),
        }
    }

    /// Reads what doimg shows until it has shown `text`.
    pub fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !self.shown.contains(text) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.screen.recv_timeout(left) {
                Ok(bytes) => self.shown.push_str(&String::from_utf8_lossy(&bytes)),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    let _ = self.child.kill();
                    panic!("doimg never showed {text:?}; it showed:\n{}", self.shown);
                }
            }
        }
    }

    /// Types `line` and Enter.
    pub fn type_line(&mut self, line: &str) {
        self.keyboard
            .write_all(format!("{line}\n").as_bytes())
            .expect("typing on the terminal");
    }

    /// Waits for doimg to end: how it exited, and everything it showed
    /// (line ends as `\n`).
    pub fn finish(mut self) -> (ExitStatus, String) {
        let deadline = Instant::now() + PATIENCE;
        while let Ok(bytes) = self
            .screen
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.shown.push_str(&String::from_utf8_lossy(&bytes));
        }
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("doimg's status") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("doimg did not end; it showed:\n{}", self.shown);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        (status, self.shown.replace("\r\n", "\n"))
    }
}
