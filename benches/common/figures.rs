//! Benchmark rows printed beside the README's last figure for the same row, so a regression
//! shows in the output: a ratio more than 20% worse than the README's is marked.

use std::path::Path;

/// How much worse than the README's figure a ratio may get before it is called a regression.
const TOLERANCE: f64 = 1.2;

/// "10k", "100k", "1M" or the plain count, as row labels name the mailbox size.
pub fn count_label(count: u64) -> String {
    if count >= 1_000_000 && count.is_multiple_of(1_000_000) {
        format!("{}M", count / 1_000_000)
    } else if count >= 1000 && count.is_multiple_of(1000) {
        format!("{}k", count / 1000)
    } else {
        count.to_string()
    }
}

/// The last column (the ratio) of the README's table row whose first cell is `label`.
pub fn previous(label: &str) -> Option<f64> {
    // The project's README, also from a bench crate nested inside the project.
    let readme = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find_map(|dir| std::fs::read_to_string(dir.join("README.md")).ok())?;
    readme.lines().find_map(|line| {
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        (cells.first() == Some(&label))
            .then(|| cells.last()?.parse::<f64>().ok())
            .flatten()
    })
}

/// Prints one table row: the label, the cells, the ratio (lower is better), and the README's
/// last ratio for this row with a mark when this run is more than 20% worse.
pub fn row(label: &str, cells: &[String], ratio: f64) {
    let before = match previous(label) {
        Some(old) if ratio > old * TOLERANCE => {
            format!(
                "{old:.2} — REGRESSION: {:.0}% worse",
                (ratio / old - 1.0) * 100.0
            )
        }
        Some(old) => format!("{old:.2}"),
        None => "–".to_owned(),
    };
    println!(
        "| {label} | {} | {ratio:.2} | {before} |",
        cells.join(" | ")
    );
}
