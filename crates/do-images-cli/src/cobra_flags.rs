//! doctl's (cobra's) `--flag=true` and `--flag=false` for on/off flags,
//! rewritten to clap's spelling before the command line is parsed: `=true`
//! becomes the bare flag, `=false` leaves it out (every such flag is off
//! unless given).

use std::collections::BTreeSet;
use std::ffi::OsString;

use clap::{ArgAction, Command};

/// The command line with each `--flag=BOOL` of an on/off flag of
/// `command` (at any depth) rewritten; the rest as typed. Nothing after
/// `--` is touched. A value cobra would refuse is an error naming the flag
/// and the values allowed.
pub fn rewrite(
    args: impl IntoIterator<Item = OsString>,
    command: &Command,
) -> Result<Vec<OsString>, String> {
    let switches = switches(command);
    let mut rewritten = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--" {
            rewritten.push(arg);
            rewritten.extend(args);
            break;
        }
        let typed = arg.to_str().and_then(|text| text.strip_prefix("--"));
        let Some((name, value)) = typed.and_then(|text| text.split_once('=')) else {
            rewritten.push(arg);
            continue;
        };
        if !switches.contains(name) {
            rewritten.push(arg);
            continue;
        }
        match parse_bool(value) {
            Some(true) => rewritten.push(format!("--{name}").into()),
            Some(false) => {}
            None => {
                return Err(format!(
                    "--{name}={value}: --{name} is on or off; give --{name}, --{name}=true or \
                     --{name}=false (or 1, t, T, TRUE, True, 0, f, F, FALSE, False, as in doctl)"
                ));
            }
        }
    }
    Ok(rewritten)
}

/// Go's `strconv.ParseBool`, which cobra uses.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// The long names (aliases included) of every on/off flag in the tree.
fn switches(command: &Command) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    visit(command, &mut |arg| {
        if matches!(arg.get_action(), ArgAction::SetTrue) {
            names.extend(long_names(arg));
        }
    });
    names
}

fn long_names(arg: &clap::Arg) -> Vec<String> {
    arg.get_long()
        .into_iter()
        .chain(arg.get_all_aliases().unwrap_or_default())
        .map(String::from)
        .collect()
}

fn visit(command: &Command, each: &mut impl FnMut(&clap::Arg)) {
    command.get_arguments().for_each(&mut *each);
    for sub in command.get_subcommands() {
        visit(sub, each);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::CommandFactory;

    fn rewritten(args: &[&str]) -> Result<Vec<String>, String> {
        let args = args.iter().map(OsString::from);
        Ok(rewrite(args, &Cli::command())?
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect())
    }

    #[test]
    fn true_is_the_bare_flag_and_false_leaves_it_out() {
        assert_eq!(
            rewritten(&["doimg", "image", "list", "--public=true"]).unwrap(),
            ["doimg", "image", "list", "--public"]
        );
        assert_eq!(
            rewritten(&[
                "doimg",
                "image",
                "delete",
                "7",
                "--force=False",
                "--trace=1"
            ])
            .unwrap(),
            ["doimg", "image", "delete", "7", "--trace"]
        );
        // Flags that take a value, and everything after `--`, stay as typed.
        let as_typed = [
            "doimg",
            "images",
            "update",
            "7",
            "--name=true",
            "--",
            "--force=true",
        ];
        assert_eq!(rewritten(&as_typed).unwrap(), as_typed);
        let error = rewritten(&["doimg", "image", "list", "--public=yes"]).unwrap_err();
        assert!(error.contains("--public=false"), "{error}");
    }

    /// A name that is on/off in one command and takes a value in another
    /// would be rewritten where it takes a value.
    #[test]
    fn no_long_name_is_both_a_switch_and_a_valued_flag() {
        let switches = switches(&Cli::command());
        visit(&Cli::command(), &mut |arg| {
            if !matches!(arg.get_action(), ArgAction::SetTrue) {
                for name in long_names(arg) {
                    assert!(!switches.contains(&name), "--{name}");
                }
            }
        });
    }
}
