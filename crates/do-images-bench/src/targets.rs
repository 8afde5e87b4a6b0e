//! The performance targets, checked against the measurements.

use std::time::Duration;

use crate::clients::Client;
use crate::plan::{Plan, SLOW_LATENCY, thousands};
use crate::report::{Row, find, mib};
use crate::waiter::{MAX_POLL_DELAY, WaiterResult};

/// One target and how the run did.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// What was to be reached.
    pub target: String,
    /// What was measured.
    pub measured: String,
    /// Whether it was reached.
    pub met: bool,
}

/// Every target, with the rows and the waiter of a run.
pub fn check(plan: &Plan, rows: &[Row], waiter: &WaiterResult) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    let [small, large] = plan.sizes;
    let fetch_ahead = Client::FetchAhead(plan.fetch_ahead);
    for latency in [Duration::ZERO, SLOW_LATENCY] {
        for client in [fetch_ahead, Client::Doimg] {
            let Some(row) = find(rows, small, latency, client) else {
                continue;
            };
            let (Some(speedup), Some(memory)) = (row.speedup_vs_pydo, row.memory_vs_pydo) else {
                continue;
            };
            verdicts.push(Verdict {
                target: format!(
                    "{}: ≥ 5x faster than pydo and ≤ 1/4 of its peak memory ({})",
                    row.client.label(),
                    row.scenario
                ),
                measured: format!("{speedup:.1}x faster, {memory:.2}x the memory"),
                met: speedup >= 5.0 && memory <= 0.25,
            });
        }
    }
    for images in plan.sizes {
        let sequential = find(rows, images, SLOW_LATENCY, Client::Sequential);
        let ahead = find(rows, images, SLOW_LATENCY, fetch_ahead);
        if let (Some(sequential), Some(ahead)) = (sequential, ahead) {
            let speedup = sequential.wall.as_secs_f64() / ahead.wall.as_secs_f64();
            verdicts.push(Verdict {
                target: format!(
                    "{}: ≥ 3x faster than sequential ({})",
                    fetch_ahead.label(),
                    ahead.scenario
                ),
                measured: format!(
                    "{speedup:.2}x ({:.3} s against {:.3} s)",
                    ahead.wall.as_secs_f64(),
                    sequential.wall.as_secs_f64()
                ),
                met: speedup >= 3.0,
            });
        }
    }
    for latency in [Duration::ZERO, SLOW_LATENCY] {
        for client in [Client::Sequential, fetch_ahead, Client::Doimg] {
            let (Some(at_small), Some(at_large)) = (
                find(rows, small, latency, client),
                find(rows, large, latency, client),
            ) else {
                continue;
            };
            let growth = at_large.peak_rss as f64 / at_small.peak_rss as f64 - 1.0;
            verdicts.push(Verdict {
                target: format!(
                    "{}: peak memory at {} images within 20% of that at {} ({} ms)",
                    client.label(),
                    thousands(large as u64),
                    thousands(small as u64),
                    latency.as_millis()
                ),
                measured: format!(
                    "{} against {} ({:+.1}%)",
                    mib(at_large.peak_rss),
                    mib(at_small.peak_rss),
                    growth * 100.0
                ),
                met: growth <= 0.20,
            });
        }
    }
    verdicts.push(Verdict {
        target: format!(
            "waiter returns within one maximum poll delay ({} s) of availability",
            MAX_POLL_DELAY.as_secs()
        ),
        measured: format!(
            "{:.1} s after, {} polls",
            waiter.after_available.as_secs_f64(),
            waiter.polls.len()
        ),
        met: waiter.after_available <= MAX_POLL_DELAY,
    });
    verdicts
}

/// The verdicts as a Markdown table.
pub fn markdown(verdicts: &[Verdict]) -> String {
    let mut out = String::from("| target | measured | met |\n|---|---|---|\n");
    for verdict in verdicts {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            verdict.target,
            verdict.measured,
            if verdict.met { "yes" } else { "**no**" }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Scenario;

    fn row(images: usize, latency_ms: u64, client: Client, wall_ms: u64, rss_mib: u64) -> Row {
        Row {
            scenario: Scenario {
                images,
                latency: Duration::from_millis(latency_ms),
            },
            client,
            wall: Duration::from_millis(wall_ms),
            cpu: Duration::ZERO,
            server_cpu: Duration::ZERO,
            peak_rss: rss_mib << 20,
            requests: (50, 50),
            speedup_vs_pydo: Some(1_000.0 / wall_ms as f64),
            memory_vs_pydo: Some(rss_mib as f64 / 64.0),
        }
    }

    #[test]
    fn each_target_is_judged_on_its_own_numbers() {
        let plan = Plan {
            sizes: [10_000, 100_000],
            rounds: 1,
            import_time: Duration::from_secs(60),
            fetch_ahead: 3,
            quick: false,
            cli_cpu: false,
        };
        let ahead = Client::FetchAhead(3);
        let rows = [
            row(10_000, 50, Client::Sequential, 900, 10),
            row(10_000, 50, ahead, 200, 10),
            row(100_000, 50, Client::Sequential, 9_000, 10),
            row(100_000, 50, ahead, 4_000, 13),
        ];
        let waiter = WaiterResult {
            import_time: Duration::from_secs(60),
            after_available: Duration::from_secs(61),
            import_round_trip: Duration::from_millis(1),
            polls: vec![Duration::ZERO; 7],
            gets_logged: 7,
        };
        let verdicts = check(&plan, &rows, &waiter);
        let met: Vec<(bool, &str)> = verdicts
            .iter()
            .map(|v| (v.met, v.measured.as_str()))
            .collect();
        assert_eq!(
            met,
            [
                (true, "5.0x faster, 0.16x the memory"),
                (true, "4.50x (0.200 s against 0.900 s)"),
                (false, "2.25x (4.000 s against 9.000 s)"),
                (true, "10.0 MiB against 10.0 MiB (+0.0%)"),
                (false, "13.0 MiB against 10.0 MiB (+30.0%)"),
                (false, "61.0 s after, 7 polls"),
            ]
        );
        assert!(markdown(&verdicts).contains("| **no** |"));
    }
}
