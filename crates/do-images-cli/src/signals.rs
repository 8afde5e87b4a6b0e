//! The signals that stop a file import: Ctrl-C (SIGINT), SIGTERM (a
//! cancelled CI job) and SIGHUP (a closed terminal). Their handlers are
//! installed when [`Signals::install`] runs, before any request is sent, so
//! that none of them kills doimg without its cleanup.

/// A signal that stops doimg.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM.
    Terminate,
    /// SIGHUP.
    Hangup,
}

impl Signal {
    /// The conventional exit status: 128 plus the signal's number.
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Interrupt => 130,
            Self::Terminate => 143,
            Self::Hangup => 129,
        }
    }

    /// Its name, such as `SIGTERM`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Interrupt => "SIGINT",
            Self::Terminate => "SIGTERM",
            Self::Hangup => "SIGHUP",
        }
    }
}

/// The installed handlers.
pub struct Signals {
    #[cfg(unix)]
    handlers: [(Signal, tokio::signal::unix::Signal); 3],
}

impl Signals {
    /// Installs the handlers; from now on these signals no longer end the
    /// process but are returned by [`next`](Self::next).
    #[cfg(unix)]
    pub fn install() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            handlers: [
                (Signal::Interrupt, signal(SignalKind::interrupt())?),
                (Signal::Terminate, signal(SignalKind::terminate())?),
                (Signal::Hangup, signal(SignalKind::hangup())?),
            ],
        })
    }

    /// Ctrl-C only, outside Unix.
    #[cfg(not(unix))]
    pub fn install() -> std::io::Result<Self> {
        Ok(Self {})
    }

    /// The next signal received.
    #[cfg(unix)]
    pub async fn next(&mut self) -> Signal {
        let [(a, first), (b, second), (c, third)] = &mut self.handlers;
        tokio::select! {
            _ = first.recv() => *a,
            _ = second.recv() => *b,
            _ = third.recv() => *c,
        }
    }

    /// The next Ctrl-C, outside Unix.
    #[cfg(not(unix))]
    pub async fn next(&mut self) -> Signal {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        Signal::Interrupt
    }
}
