//! Which columns a table shows (`--format`).

/// Something printed as a table row.
pub trait Row {
    /// Every column this kind of row has, in display spelling.
    const COLUMNS: &'static [&'static str];
    /// The columns shown without `--format`.
    const DEFAULT: &'static [&'static str];
    /// Other names `--format` takes for a column (doctl's spelling first,
    /// then the column it means).
    const ALIASES: &'static [(&'static str, &'static str)] = &[];
    /// The text of one column (one of [`Row::COLUMNS`]).
    fn cell(&self, column: &str) -> String;
    /// The header of one column: its name in capitals unless the row
    /// says otherwise (images and actions use doctl's header texts).
    fn header(column: &str) -> String {
        column.to_uppercase()
    }
}

/// The columns chosen for a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns(Vec<&'static str>);

impl Columns {
    /// The columns named in `--format` (case-insensitive), or the defaults.
    /// An unknown name is an error that lists the allowed ones.
    pub fn choose<R: Row>(requested: Option<&[String]>) -> Result<Self, String> {
        let Some(requested) = requested else {
            return Ok(Self(R::DEFAULT.to_vec()));
        };
        let mut chosen = Vec::new();
        for name in requested.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            let alias = R::ALIASES
                .iter()
                .find(|(alias, _)| alias.eq_ignore_ascii_case(name))
                .map(|(_, column)| column);
            let column = R::COLUMNS
                .iter()
                .find(|c| c.eq_ignore_ascii_case(name))
                .or(alias)
                .ok_or_else(|| {
                    format!(
                        "unknown column `{name}` in --format; allowed: {}",
                        R::COLUMNS.join(", ")
                    )
                })?;
            chosen.push(*column);
        }
        if chosen.is_empty() {
            return Err(format!(
                "--format names no column; allowed: {}",
                R::COLUMNS.join(", ")
            ));
        }
        Ok(Self(chosen))
    }

    /// The header cells of rows of `R` for these columns.
    pub fn headers<R: Row>(&self) -> Vec<String> {
        self.0.iter().map(|c| R::header(c)).collect()
    }

    /// The cells of `row` for these columns.
    pub fn cells<R: Row>(&self, row: &R) -> Vec<String> {
        self.0.iter().map(|c| row.cell(c)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pair;
    impl Row for Pair {
        const COLUMNS: &'static [&'static str] = &["ID", "Name", "MinDisk"];
        const DEFAULT: &'static [&'static str] = &["ID", "Name"];
        const ALIASES: &'static [(&'static str, &'static str)] = &[("Size", "MinDisk")];
        fn cell(&self, column: &str) -> String {
            column.to_lowercase()
        }
    }

    #[test]
    fn names_match_case_insensitively_in_the_order_given() {
        let requested = vec!["mindisk".to_string(), "id".to_string()];
        let columns = Columns::choose::<Pair>(Some(&requested)).unwrap();
        assert_eq!(columns.headers::<Pair>(), ["MINDISK", "ID"]);
        assert_eq!(columns.cells(&Pair), ["mindisk", "id"]);
        assert_eq!(
            Columns::choose::<Pair>(None).unwrap().headers::<Pair>(),
            ["ID", "NAME"]
        );
    }

    #[test]
    fn an_alias_chooses_its_column() {
        let requested = vec!["size".to_string(), "ID".to_string()];
        let columns = Columns::choose::<Pair>(Some(&requested)).unwrap();
        assert_eq!(columns.headers::<Pair>(), ["MINDISK", "ID"]);
    }

    #[test]
    fn an_unknown_column_lists_the_allowed_ones() {
        let error = Columns::choose::<Pair>(Some(&["Colour".to_string()])).unwrap_err();
        assert!(
            error.contains("`Colour`") && error.contains("ID, Name, MinDisk"),
            "{error}"
        );
    }
}
