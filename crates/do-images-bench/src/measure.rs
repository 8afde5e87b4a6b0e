//! Running a program to completion and measuring it: wall time and peak
//! resident memory, from the kernel's accounting of that one child.
//!
//! Linux charges a child, in `ru_maxrss`, with the peak resident memory of
//! the process it was started from: `exec` keeps the old address space's
//! high-water mark. The harness holds sandboxes of up to 100,000 images, so
//! a client it started itself would show the harness's peak. Clients are
//! therefore started by `do-images-bench measure` (see
//! [`crate::launcher`]), a process of a few MiB that runs this code.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// What one run of a program cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Measurement {
    /// From spawn to exit.
    pub wall: Duration,
    /// Peak resident set size of the child, in bytes.
    pub peak_rss: u64,
    /// CPU time the child used, user and system.
    pub cpu: Duration,
}

impl Measurement {
    /// One line that [`Measurement::parse`] reads back.
    pub fn to_line(self) -> String {
        format!(
            "wall_ns={} peak_rss={} cpu_ns={}\n",
            self.wall.as_nanos(),
            self.peak_rss,
            self.cpu.as_nanos()
        )
    }

    /// Reads a line written by [`Measurement::to_line`].
    pub fn parse(line: &str) -> Result<Self> {
        let field = |name: &str| -> Result<u64> {
            let prefix = format!("{name}=");
            line.split_whitespace()
                .find_map(|word| word.strip_prefix(&prefix))
                .with_context(|| format!("no {name} in {line:?}"))?
                .parse()
                .with_context(|| format!("{name} is not a number in {line:?}"))
        };
        Ok(Self {
            wall: Duration::from_nanos(field("wall_ns")?),
            peak_rss: field("peak_rss")?,
            cpu: Duration::from_nanos(field("cpu_ns")?),
        })
    }
}

/// Runs `command` to completion, with the standard streams it was given
/// (standard input closed), and measures it. Fails when it exits other than
/// with status 0.
pub fn run(command: &mut Command) -> Result<Measurement> {
    let start = Instant::now();
    let child = command
        .stdin(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {command:?}"))?;
    let pid = libc::pid_t::try_from(child.id()).context("pid out of range")?;
    let (status, usage) = wait_with_usage(pid)?;
    let wall = start.elapsed();
    if !exited_cleanly(status) {
        bail!("{command:?} failed (wait status {status:#x})");
    }
    Ok(Measurement {
        wall,
        peak_rss: rss_bytes(usage.ru_maxrss)?,
        cpu: cpu_time(&usage),
    })
}

/// CPU time this process has used so far, all its threads, user and
/// system (its children not counted).
pub fn own_cpu() -> Duration {
    // SAFETY: an all-zero rusage is a valid value for the kernel to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pointer is to a live local; RUSAGE_SELF cannot fail.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    cpu_time(&usage)
}

/// User plus system time in a `rusage`.
fn cpu_time(usage: &libc::rusage) -> Duration {
    let time = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// `wait4(2)`: the wait status and resource usage of exactly this child.
fn wait_with_usage(pid: libc::pid_t) -> Result<(i32, libc::rusage)> {
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for the kernel to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: pid is our own child, not yet reaped (std only waits for a
        // child when asked), and both pointers are to live locals.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            return Ok((status, usage));
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            bail!("wait4 failed: {error}");
        }
    }
}

/// Whether a wait status says the child exited with status 0.
fn exited_cleanly(status: i32) -> bool {
    libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0
}

/// `ru_maxrss`, which Linux gives in KiB, in bytes.
fn rss_bytes(max_rss_kib: libc::c_long) -> Result<u64> {
    let kib = u64::try_from(max_rss_kib)
        .with_context(|| format!("the kernel reported a peak RSS of {max_rss_kib} KiB"))?;
    Ok(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernels_kib_become_bytes() {
        assert_eq!(rss_bytes(0).unwrap(), 0);
        assert_eq!(rss_bytes(69_240).unwrap(), 69_240 * 1024);
        assert!(rss_bytes(-1).is_err());
    }

    #[test]
    fn a_measurement_survives_its_line() {
        let m = Measurement {
            wall: Duration::from_nanos(1_234_567_890),
            peak_rss: 9_199_616,
            cpu: Duration::from_millis(12),
        };
        assert_eq!(
            m.to_line(),
            "wall_ns=1234567890 peak_rss=9199616 cpu_ns=12000000\n"
        );
        assert_eq!(Measurement::parse(&m.to_line()).unwrap(), m);
        assert!(Measurement::parse("wall_ns=5").is_err());
        assert!(Measurement::parse("wall_ns=x peak_rss=1 cpu_ns=1").is_err());
    }

    #[test]
    fn a_child_is_measured() {
        let m = run(Command::new("sh")
            .args(["-c", "exit 0"])
            .stdout(Stdio::null()))
        .unwrap();
        assert!(m.peak_rss > 0);
        assert!(m.wall > Duration::ZERO);
        let busy = "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done";
        let m = run(Command::new("sh").args(["-c", busy])).unwrap();
        assert!(m.cpu > Duration::ZERO, "{m:?}");
        let before = own_cpu();
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        assert!(own_cpu() > before, "{x}");
    }

    #[test]
    fn a_failing_child_is_an_error() {
        let error = run(Command::new("sh").args(["-c", "exit 3"])).unwrap_err();
        assert!(error.to_string().contains("failed"), "{error}");
    }
}
