//! The results table: one row per scenario and client, with medians over
//! the rounds and ratios to pydo.

use std::time::Duration;

use crate::clients::Client;
use crate::plan::Scenario;

/// What one timed run of one client cost.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    /// Who ran.
    pub client: Client,
    /// From spawn to exit.
    pub wall: Duration,
    /// Peak resident memory of the child, bytes.
    pub peak_rss: u64,
    /// CPU time the child used.
    pub cpu: Duration,
    /// CPU time the harness (the sandbox, mostly) used during the run.
    pub server_cpu: Duration,
    /// Requests the sandbox received during the run.
    pub requests: u64,
}

/// One row of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The sandbox setting.
    pub scenario: Scenario,
    /// The client.
    pub client: Client,
    /// Median wall time over the rounds.
    pub wall: Duration,
    /// Median CPU time of the client.
    pub cpu: Duration,
    /// Median CPU time of the sandbox.
    pub server_cpu: Duration,
    /// Median peak RSS over the rounds, bytes.
    pub peak_rss: u64,
    /// Fewest and most requests in one run.
    pub requests: (u64, u64),
    /// pydo's median wall time in the same scenario divided by this one's.
    pub speedup_vs_pydo: Option<f64>,
    /// This one's median peak RSS divided by pydo's.
    pub memory_vs_pydo: Option<f64>,
}

/// The median of `values`: the middle one, or the lower of the two middle
/// ones for an even count; `None` when empty.
pub fn median<T: Ord + Copy>(values: &[T]) -> Option<T> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len().checked_sub(1)? / 2).copied()
}

/// Medians of one client's samples.
struct Summary {
    wall: Duration,
    peak_rss: u64,
    cpu: Duration,
    server_cpu: Duration,
    requests: (u64, u64),
}

/// A row per client that has samples in `scenario`, in `clients`' order.
pub fn rows(scenario: Scenario, samples: &[Sample], clients: &[Client]) -> Vec<Row> {
    let summary = |client: Client| {
        let of: Vec<&Sample> = samples.iter().filter(|s| s.client == client).collect();
        let walls: Vec<Duration> = of.iter().map(|s| s.wall).collect();
        let rss: Vec<u64> = of.iter().map(|s| s.peak_rss).collect();
        let cpu: Vec<Duration> = of.iter().map(|s| s.cpu).collect();
        let server_cpu: Vec<Duration> = of.iter().map(|s| s.server_cpu).collect();
        let requests: Vec<u64> = of.iter().map(|s| s.requests).collect();
        Some(Summary {
            wall: median(&walls)?,
            peak_rss: median(&rss)?,
            cpu: median(&cpu)?,
            server_cpu: median(&server_cpu)?,
            requests: (*requests.iter().min()?, *requests.iter().max()?),
        })
    };
    let pydo = summary(Client::Pydo);
    clients
        .iter()
        .filter_map(|&client| {
            let this = summary(client)?;
            let (speedup_vs_pydo, memory_vs_pydo) = match &pydo {
                Some(pydo) if client != Client::Pydo => (
                    Some(pydo.wall.as_secs_f64() / this.wall.as_secs_f64().max(f64::MIN_POSITIVE)),
                    Some(this.peak_rss as f64 / pydo.peak_rss.max(1) as f64),
                ),
                _ => (None, None),
            };
            Some(Row {
                scenario,
                client,
                wall: this.wall,
                cpu: this.cpu,
                server_cpu: this.server_cpu,
                peak_rss: this.peak_rss,
                requests: this.requests,
                speedup_vs_pydo,
                memory_vs_pydo,
            })
        })
        .collect()
}

/// The row of `client` in the scenario with `images` and `latency`.
pub fn find(rows: &[Row], images: usize, latency: Duration, client: Client) -> Option<&Row> {
    rows.iter().find(|row| {
        row.scenario.images == images && row.scenario.latency == latency && row.client == client
    })
}

/// Bytes as MiB with one decimal.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
}

/// The table, as Markdown.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| scenario | client | wall | client CPU | sandbox CPU | peak RSS | requests | time vs pydo | memory vs pydo |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for row in rows {
        let requests = match row.requests {
            (low, high) if low == high => low.to_string(),
            (low, high) => format!("{low}–{high}"),
        };
        out.push_str(&format!(
            "| {} | {} | {:.3} s | {:.3} s | {:.3} s | {} | {} | {} | {} |\n",
            row.scenario,
            row.client.label(),
            row.wall.as_secs_f64(),
            row.cpu.as_secs_f64(),
            row.server_cpu.as_secs_f64(),
            mib(row.peak_rss),
            requests,
            row.speedup_vs_pydo
                .map_or_else(|| "—".into(), |r| format!("{r:.1}x faster")),
            row.memory_vs_pydo
                .map_or_else(|| "—".into(), |r| format!("{r:.2}x")),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    fn sample(client: Client, wall_ms: u64, rss_mib: u64, requests: u64) -> Sample {
        Sample {
            client,
            wall: MS(wall_ms),
            peak_rss: rss_mib << 20,
            cpu: MS(wall_ms / 2),
            server_cpu: MS(wall_ms / 4),
            requests,
        }
    }

    #[test]
    fn the_median_is_the_middle_value() {
        assert_eq!(median(&[MS(30), MS(10), MS(20)]), Some(MS(20)));
        assert_eq!(median(&[40, 10, 30, 20]), Some(20));
        assert_eq!(median(&[5]), Some(5));
        assert_eq!(median::<u64>(&[]), None);
    }

    #[test]
    fn rows_hold_medians_and_ratios_to_pydo() {
        let scenario = Scenario {
            images: 10_000,
            latency: Duration::ZERO,
        };
        let samples = [
            sample(Client::Pydo, 1_000, 64, 50),
            sample(Client::Sequential, 300, 8, 50),
            sample(Client::Pydo, 1_200, 66, 50),
            sample(Client::Sequential, 100, 8, 51),
            sample(Client::Pydo, 900, 62, 50),
            sample(Client::Sequential, 200, 9, 50),
        ];
        let rows = rows(
            scenario,
            &samples,
            &[Client::Sequential, Client::Doimg, Client::Pydo],
        );
        assert_eq!(rows.len(), 2, "a client without samples has no row");
        let library = &rows[0];
        assert_eq!(library.wall, MS(200));
        assert_eq!(library.peak_rss, 8 << 20);
        assert_eq!((library.cpu, library.server_cpu), (MS(100), MS(50)));
        assert_eq!(library.requests, (50, 51));
        assert_eq!(library.speedup_vs_pydo, Some(5.0));
        assert_eq!(library.memory_vs_pydo, Some(0.125));
        assert_eq!(rows[1].speedup_vs_pydo, None);
        assert_eq!(
            find(&rows, 10_000, Duration::ZERO, Client::Pydo).map(|r| r.wall),
            Some(MS(1_000))
        );
    }

    #[test]
    fn the_table_has_a_row_per_client() {
        let scenario = Scenario {
            images: 10_000,
            latency: Duration::from_millis(50),
        };
        let samples = [
            sample(Client::Pydo, 1_500, 64, 50),
            sample(Client::Doimg, 300, 8, 50),
            sample(Client::Doimg, 300, 8, 52),
        ];
        let table = markdown(&rows(scenario, &samples, &Client::all(3)));
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert_eq!(
            lines[2],
            "| 10,000 images, 50 ms | doimg images list -o json | 0.300 s | 0.150 s | 0.075 s | 8.0 MiB | 50–52 | 5.0x faster | 0.12x |"
        );
        assert_eq!(
            lines[3],
            "| 10,000 images, 50 ms | pydo | 1.500 s | 0.750 s | 0.375 s | 64.0 MiB | 50 | — | — |"
        );
    }
}
