//! What users arriving from doctl expect: its aliases, list commands,
//! short flags, context selection, RUST_LOG, completion install notes and
//! user agent.

mod common;

use common::canned::CannedServer;
use common::{Sim, ids_of_table, isolated, run};

#[test]
fn ls_and_rm_are_aliases_of_list_and_delete() {
    let sim = Sim::start();
    let listed = run(sim.doimg().args(["images", "list", "--limit", "3"])).ok();
    let aliased = run(sim.doimg().args(["images", "ls", "--limit", "3"])).ok();
    assert_eq!(listed.stdout, aliased.stdout);

    let (image, _) = sim.image_with_action();
    let actions = run(sim.doimg().args(["actions", "ls", &image.to_string()])).ok();
    assert!(!ids_of_table(&actions.stdout).is_empty());

    let custom = sim.first_private("custom");
    run(sim
        .doimg()
        .args(["images", "rm", &custom.to_string(), "--force"]))
    .ok();
    assert!(sim.image(custom).is_none(), "rm deleted the image");
}

#[test]
fn list_distribution_application_and_user_are_doctls_lists() {
    let sim = Sim::start();
    for (doctl, ours) in [
        ("list-distribution", vec!["--type", "distribution"]),
        ("list-application", vec!["--type", "application"]),
        ("list-user", vec!["--private"]),
    ] {
        let theirs = run(sim.doimg().args(["images", doctl])).ok();
        let expected = run(sim.doimg().args(["images", "list"]).args(&ours)).ok();
        assert!(!ids_of_table(&theirs.stdout).is_empty(), "{doctl}");
        assert_eq!(theirs.stdout, expected.stdout, "{doctl}");
    }
    // They take list's --limit and --tag too.
    let out = run(sim.doimg().args(["images", "list-user", "--limit", "2"])).ok();
    assert_eq!(ids_of_table(&out.stdout).len(), 2);
}

#[cfg(unix)]
fn write_private(path: &std::path::Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[cfg(unix)]
#[test]
fn short_flags_c_and_u_work_like_doctls() {
    let sim = Sim::start();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("elsewhere.yaml");
    write_private(&config, &format!("access-token: {}\n", sim.sandbox.token()));
    let out = run(isolated(home.path()).arg("-c").arg(&config).args([
        "-u",
        sim.sandbox.base_url(),
        "images",
        "list",
        "--limit",
        "1",
    ]))
    .ok();
    assert_eq!(ids_of_table(&out.stdout).len(), 1);
}

#[cfg(unix)]
#[test]
fn contexts_are_chosen_as_doctl_chooses_them() {
    let sim = Sim::start();
    let token = sim.sandbox.token().to_string();
    let list = ["images", "list", "--limit", "1"];
    let config = sim.doctl_config_path();
    write_private(
        &config,
        &format!(
            "access-token: dop_v1_wrong\ncontext: work\nauth-contexts:\n  work: {token}\n  home: dop_v1_wrong\n"
        ),
    );
    // The config's current context wins over the token variables, as in
    // doctl (DIGITALOCEAN_ACCESS_TOKEN is the default context's token).
    run(sim
        .doimg_without_token()
        .env("DIGITALOCEAN_ACCESS_TOKEN", "dop_v1_wrong")
        .args(list))
    .ok();
    // DIGITALOCEAN_CONTEXT picks another one, like --context.
    run(sim
        .doimg_without_token()
        .env("DIGITALOCEAN_CONTEXT", "home")
        .args(list))
    .expect_code(3);
    run(sim
        .doimg_without_token()
        .env("DIGITALOCEAN_CONTEXT", "default")
        .env("DIGITALOCEAN_ACCESS_TOKEN", &token)
        .args(list))
    .ok();
    // The flag still beats everything.
    run(sim
        .doimg_without_token()
        .env("DIGITALOCEAN_CONTEXT", "home")
        .args(["-t", &token])
        .args(list))
    .ok();
    // A current context the file does not define is an error naming it.
    write_private(
        &config,
        &format!("access-token: {token}\ncontext: gone\nauth-contexts:\n  work: {token}\n"),
    );
    let out = run(sim.doimg_without_token().args(list)).expect_code(3);
    assert!(
        out.single_error().contains("no auth-context `gone`"),
        "{}",
        out.stderr
    );
}

#[test]
fn rust_log_overrides_the_verbose_filter() {
    let sim = Sim::start();
    let get = ["images", "get", "ubuntu-24-04-x64"];
    let traced = |out: &common::Run| out.stderr.contains("DigitalOcean API answered");
    // RUST_LOG alone turns the log on ...
    let out = run(sim.doimg().env("RUST_LOG", "do_images=debug").args(get)).ok();
    assert!(traced(&out), "{}", out.stderr);
    // ... and overrides -v.
    let out = run(sim.doimg().env("RUST_LOG", "off").arg("-v").args(get)).ok();
    assert_eq!(out.stderr, "");
    let out = run(sim.doimg().arg("-v").args(get)).ok();
    assert!(traced(&out), "{}", out.stderr);
}

#[test]
fn completion_help_says_how_to_install_for_each_shell() {
    let home = tempfile::tempdir().unwrap();
    let out = run(isolated(home.path()).args(["completion", "--help"])).ok();
    for needed in [
        "doimg completion bash >",
        "doimg completion zsh >",
        "doimg completion fish >",
        "doimg completion elvish",
        "doimg completion powershell",
    ] {
        assert!(
            out.stdout.contains(needed),
            "`{needed}` missing:\n{}",
            out.stdout
        );
    }
}

#[test]
fn the_user_agent_names_the_os_and_architecture() {
    let server = CannedServer::start(|_| {
        (
            200,
            r#"{"images":[],"links":{},"meta":{"total":0}}"#.to_string(),
        )
    });
    let home = tempfile::tempdir().unwrap();
    run(isolated(home.path()).args(["--api-url", server.base_url(), "-t", "x", "images", "list"]))
        .ok();
    let heads = server.heads();
    let agent = heads[0]
        .lines()
        .find_map(|l| l.strip_prefix("user-agent: "))
        .unwrap_or_else(|| panic!("no user agent in {heads:?}"))
        .to_string();
    let expected = format!(
        "doimg/{} ({}; {})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    assert_eq!(agent, expected);
}
