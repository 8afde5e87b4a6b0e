//! Help that teaches: global options under their own heading, examples on
//! every command that does work, only the options that apply, arguments in
//! the order they are parsed, and man pages with a right NAME line.

use crate::common;

use common::{isolated, run};

/// `doimg ARGS -h`'s text.
fn help(args: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    run(isolated(home.path()).args(args).arg("-h")).ok().stdout
}

/// Every command that sends requests.
const WORKING_COMMANDS: &[&[&str]] = &[
    &["images", "list"],
    &["images", "list-distribution"],
    &["images", "list-application"],
    &["images", "list-user"],
    &["images", "get"],
    &["images", "create"],
    &["images", "update"],
    &["images", "delete"],
    &["images", "wait"],
    &["images", "prune"],
    &["images", "distribute"],
    &["actions", "list"],
    &["actions", "get"],
    &["actions", "transfer"],
    &["actions", "convert"],
    &["actions", "wait"],
    &["account-transfers", "create"],
    &["account-transfers", "accept"],
    &["account-transfers", "cancel"],
    &["account-transfers", "decline"],
];

#[test]
fn global_options_have_their_own_heading_after_the_commands_own() {
    let text = help(&["images", "prune"]);
    let (own, global) = text
        .split_once("Global options:")
        .unwrap_or_else(|| panic!("no Global options heading:\n{text}"));
    for flag in ["--name-prefix", "--keep", "--older-than", "--dry-run"] {
        assert!(own.contains(flag), "{flag}:\n{text}");
    }
    for flag in ["--api-url", "--access-token", "--context", "--output"] {
        assert!(!own.contains(flag), "{flag} among prune's own:\n{text}");
        assert!(global.contains(flag), "{flag}:\n{text}");
    }
}

#[test]
fn every_working_command_has_examples() {
    for command in WORKING_COMMANDS {
        let text = help(command);
        let examples = text
            .split_once("Examples:")
            .unwrap_or_else(|| panic!("{command:?} has no examples:\n{text}"))
            .1;
        assert!(examples.contains("doimg "), "{command:?}:\n{text}");
    }
    for (command, needed) in [
        (&["images", "create"][..], "--wait"),
        (&["images", "create"][..], "--file"),
        (&["images", "prune"][..], "--dry-run"),
        (&["images", "distribute"][..], "--regions"),
        (&["account-transfers", "create"][..], "--team"),
        (&["images", "list"][..], "| jq"),
    ] {
        let text = help(command);
        assert!(
            text.contains(needed),
            "{command:?} shows no {needed}:\n{text}"
        );
    }
}

#[test]
fn commands_that_send_nothing_show_no_api_options() {
    for command in [&["completion"][..], &["man"][..], &["sandbox"][..]] {
        let text = help(command);
        for flag in ["--format", "--poll-interval", "--access-token", "--output"] {
            assert!(!text.contains(flag), "{command:?} shows {flag}:\n{text}");
        }
    }
}

#[test]
fn actions_get_shows_its_arguments_in_the_order_they_are_parsed() {
    let text = help(&["actions", "get"]);
    let usage = text.lines().find(|l| l.starts_with("Usage:")).unwrap();
    let image = usage
        .find("<IMAGE_ID>")
        .unwrap_or_else(|| panic!("{usage}"));
    let action = usage.find("ACTION_ID").unwrap_or_else(|| panic!("{usage}"));
    assert!(image < action, "{usage}");
    let arguments = text.split_once("Arguments:").unwrap().1;
    let image = arguments.find("<IMAGE_ID>").unwrap();
    let action = arguments.find("[ACTION_ID]").unwrap_or(usize::MAX);
    assert!(image < action, "{text}");
}

#[test]
fn the_man_page_names_doimg_once() {
    let home = tempfile::tempdir().unwrap();
    let out = run(isolated(home.path()).arg("man")).ok();
    let name = out
        .stdout
        .split_once(".SH NAME\n")
        .unwrap()
        .1
        .lines()
        .next()
        .unwrap();
    assert!(
        name.starts_with("doimg \\- Manage DigitalOcean images"),
        "{name}"
    );
}

#[test]
fn man_dir_creates_the_folder() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("share").join("man").join("man1");
    run(isolated(home.path()).arg("man").arg("--dir").arg(&dir)).ok();
    assert!(dir.join("doimg.1").is_file());
    assert!(dir.join("doimg-images-prune.1").is_file());
}
