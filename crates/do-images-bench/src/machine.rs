//! What the benchmark ran on: cores, memory, CPU model, and the versions of
//! rustc, Python and pydo.

use std::path::Path;
use std::process::Command;

/// The machine and toolchains of a run.
#[derive(Clone, Debug)]
pub struct Machine {
    /// Cores this process may use.
    pub cores: usize,
    /// `MemTotal`, bytes.
    pub memory: Option<u64>,
    /// The first `model name` in /proc/cpuinfo.
    pub cpu_model: Option<String>,
    /// `rustc --version`.
    pub rustc: Option<String>,
    /// `python --version` of the virtualenv.
    pub python: Option<String>,
    /// The pydo version installed in the virtualenv.
    pub pydo: Option<String>,
    /// The load averages over 1, 5 and 15 minutes, from /proc/loadavg.
    pub load: Option<String>,
}

impl Machine {
    /// Looks at this machine; what cannot be found is `None`.
    pub fn detect(python: &Path) -> Self {
        let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
        Self {
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            memory: mem_total(&read("/proc/meminfo")),
            cpu_model: cpu_model(&read("/proc/cpuinfo")),
            rustc: output_of(Command::new("rustc").arg("--version")),
            python: output_of(Command::new(python).arg("--version")),
            pydo: output_of(Command::new(python).args([
                "-c",
                "import importlib.metadata as m; print(m.version('pydo'))",
            ])),
            load: load_average(&read("/proc/loadavg")),
        }
    }
}

/// `MemTotal` from the text of /proc/meminfo, in bytes.
fn mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut words = line.split_whitespace().skip(1);
    let kib: u64 = words.next()?.parse().ok()?;
    (words.next() == Some("kB")).then_some(kib * 1024)
}

/// The first `model name` from the text of /proc/cpuinfo.
fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(key, _)| key.trim() == "model name")
        .map(|(_, value)| value.trim().to_string())
}

/// The three load averages from the text of /proc/loadavg.
fn load_average(loadavg: &str) -> Option<String> {
    let averages: Vec<&str> = loadavg.split_whitespace().take(3).collect();
    (averages.len() == 3).then(|| averages.join(", "))
}

/// The trimmed standard output of a command that succeeds.
fn output_of(command: &mut Command) -> Option<String> {
    let output = command.output().ok().filter(|o| o.status.success())?;
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_files_are_read() {
        let meminfo = "MemTotal:       24684544 kB\nMemFree:        22228992 kB\n";
        assert_eq!(mem_total(meminfo), Some(24_684_544 * 1024));
        assert_eq!(mem_total("MemFree: 1 kB\n"), None);
        let cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n\n\
                       processor\t: 1\nmodel name\t: AMD EPYC 7B13\n";
        assert_eq!(cpu_model(cpuinfo).as_deref(), Some("AMD EPYC 7B13"));
        assert_eq!(cpu_model("processor : 0\n"), None);
        let loadavg = "0.79 0.86 1.29 1/160 20345\n";
        assert_eq!(load_average(loadavg).as_deref(), Some("0.79, 0.86, 1.29"));
        assert_eq!(load_average(""), None);
    }
}
