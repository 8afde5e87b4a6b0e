//! What a run measures: the scenarios, the rounds and the import the waiter
//! waits for.

use std::fmt;
use std::time::Duration;

use crate::cli::RunArgs;

/// Rounds per scenario unless told otherwise.
const DEFAULT_ROUNDS: u32 = 3;

/// Rounds of the `--cli-cpu` run unless told otherwise.
const CLI_CPU_ROUNDS: u32 = 5;

/// The latency added to every request in the slow scenarios.
pub const SLOW_LATENCY: Duration = Duration::from_millis(50);

/// One sandbox setting the clients are timed against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Images the sandbox holds.
    pub images: usize,
    /// Latency added to every request.
    pub latency: Duration,
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} images, {} ms",
            thousands(self.images as u64),
            self.latency.as_millis()
        )
    }
}

/// The whole run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The smaller and the larger image count.
    pub sizes: [usize; 2],
    /// Timed runs of each client per scenario.
    pub rounds: u32,
    /// How long the waiter's import takes to become available.
    pub import_time: Duration,
    /// Pages the library fetches ahead in its fetch-ahead runs.
    pub fetch_ahead: usize,
    /// Whether this is the smoke run.
    pub quick: bool,
    /// Whether this is the `--cli-cpu` run (one scenario, doimg and curl).
    pub cli_cpu: bool,
}

impl Plan {
    /// The plan the command line asks for.
    pub fn from_args(args: &RunArgs) -> Self {
        let (sizes, default_rounds, import_time) = if args.quick {
            ([1_000, 5_000], 1, Duration::from_secs(8))
        } else if args.cli_cpu {
            ([10_000, 10_000], CLI_CPU_ROUNDS, Duration::ZERO)
        } else {
            ([10_000, 100_000], DEFAULT_ROUNDS, Duration::from_secs(60))
        };
        Self {
            sizes,
            rounds: args.rounds.unwrap_or(default_rounds),
            import_time,
            fetch_ahead: args.fetch_ahead,
            quick: args.quick,
            cli_cpu: args.cli_cpu,
        }
    }

    /// Every scenario, smaller sizes and lower latency first; the
    /// `--cli-cpu` run has one, without latency.
    pub fn scenarios(&self) -> Vec<Scenario> {
        if self.cli_cpu {
            return vec![Scenario {
                images: self.sizes[0],
                latency: Duration::ZERO,
            }];
        }
        self.sizes
            .iter()
            .flat_map(|&images| {
                [Duration::ZERO, SLOW_LATENCY].map(|latency| Scenario { images, latency })
            })
            .collect()
    }

    /// The command that runs this plan, as a user types it.
    pub fn command(&self) -> String {
        let mut command = String::from("cargo xtask bench");
        if self.quick {
            command.push_str(" --quick");
        }
        if self.cli_cpu {
            command.push_str(" --cli-cpu");
        }
        let default_rounds = match (self.quick, self.cli_cpu) {
            (true, _) => 1,
            (_, true) => CLI_CPU_ROUNDS,
            _ => DEFAULT_ROUNDS,
        };
        if self.rounds != default_rounds {
            command.push_str(&format!(" --rounds {}", self.rounds));
        }
        if self.fetch_ahead != do_images::DEFAULT_FETCH_AHEAD {
            command.push_str(&format!(" --fetch-ahead {}", self.fetch_ahead));
        }
        command
    }
}

/// `n` with a comma every three digits: 100000 is `100,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn scenarios_cover_both_sizes_and_latencies() {
        let plan = Plan {
            sizes: [10_000, 100_000],
            rounds: 3,
            import_time: Duration::from_secs(60),
            fetch_ahead: do_images::DEFAULT_FETCH_AHEAD,
            quick: false,
            cli_cpu: false,
        };
        let names: Vec<String> = plan.scenarios().iter().map(ToString::to_string).collect();
        assert_eq!(
            names,
            [
                "10,000 images, 0 ms",
                "10,000 images, 50 ms",
                "100,000 images, 0 ms",
                "100,000 images, 50 ms"
            ]
        );
        assert_eq!(plan.command(), "cargo xtask bench");
        let other = Plan {
            rounds: 5,
            fetch_ahead: 9,
            ..plan
        };
        assert_eq!(
            other.command(),
            "cargo xtask bench --rounds 5 --fetch-ahead 9"
        );
        let cpu = Plan {
            sizes: [10_000, 10_000],
            rounds: 5,
            cli_cpu: true,
            ..plan
        };
        let names: Vec<String> = cpu.scenarios().iter().map(ToString::to_string).collect();
        assert_eq!(names, ["10,000 images, 0 ms"]);
        assert_eq!(cpu.command(), "cargo xtask bench --cli-cpu");
    }
}
