//! What users arriving from doctl expect: its aliases, list commands,
//! short flags, context selection, RUST_LOG, completion install notes and
//! user agent.

use crate::common;

use common::{Sim, ids_of_table, isolated, json_answer, run};
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::json;

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
    let expected = format!(
        "doimg/{} ({}; {})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    let server = MockServer::start();
    // Only a request with that user agent gets the listing; any other gets
    // httpmock's 404 and the command fails.
    let listing = server.mock(|when, then| {
        when.method(GET)
            .path("/v2/images")
            .header("user-agent", &expected);
        json_answer(then, 200).json_body(json!({"images": [], "links": {}, "meta": {"total": 0}}));
    });
    let home = tempfile::tempdir().unwrap();
    run(isolated(home.path()).args(["--api-url", &server.base_url(), "-t", "x", "images", "list"]))
        .ok();
    listing.assert_calls(1);
}

#[test]
fn image_and_image_action_are_doctls_group_names() {
    let sim = Sim::start();
    let ours = run(sim.doimg().args(["images", "list", "--limit", "3"])).ok();
    let theirs = run(sim.doimg().args(["image", "list", "--limit", "3"])).ok();
    assert_eq!(ours.stdout, theirs.stdout);

    let (image, action) = sim.image_with_action();
    let (image, action) = (image.to_string(), action.to_string());
    let ours = run(sim.doimg().args(["actions", "get", &image, &action])).ok();
    let theirs = run(sim
        .doimg()
        .args(["image-action", "get", &image, "--action-id", &action]))
    .ok();
    assert_eq!(ours.stdout, theirs.stdout);
    assert_eq!(
        ids_of_table(&theirs.stdout),
        [action.parse::<u64>().unwrap()]
    );
    // One action id, not two.
    run(sim
        .doimg()
        .args(["actions", "get", &image, &action, "--action-id", &action]))
    .expect_code(2);
}

#[test]
fn images_create_takes_doctls_name_and_flags() {
    let sim = Sim::start();
    let out = run(sim.doimg().args([
        "-o",
        "json",
        "image",
        "create",
        "from-doctl",
        "--image-url",
        "https://example.com/from-doctl.qcow2",
        "--region",
        "nyc3",
        "--image-distribution",
        "Debian",
        "--image-description",
        "made as doctl makes it",
        "--tag-names",
        "web,prod",
    ]))
    .ok();
    let id = out.json()["id"].as_u64().expect("an id");
    let image = sim.image(id).expect("the import exists");
    assert_eq!(image["name"], "from-doctl");
    assert_eq!(image["distribution"], "Debian");
    assert_eq!(image["description"], "made as doctl makes it");
    assert_eq!(image["tags"], serde_json::json!(["web", "prod"]));

    // A name both ways, or none, is a usage error with nothing sent.
    let before = sim.requests();
    for names in [&["twice", "--name", "twice"][..], &[][..]] {
        let out = run(sim
            .doimg()
            .args(["images", "create", "--url", "https://example.com/a.qcow2"])
            .args(["--region", "nyc3"])
            .args(names))
        .expect_code(2);
        assert!(out.stderr.contains("--name"), "{}", out.stderr);
    }
    assert_eq!(sim.requests(), before);
}

#[test]
fn images_update_takes_doctls_image_name() {
    let sim = Sim::start();
    let custom = sim.first_private("custom").to_string();
    run(sim.doimg().args([
        "image",
        "update",
        &custom,
        "--image-name",
        "renamed-like-doctl",
        "--image-description",
        "described",
    ]))
    .ok();
    let image = sim.image(custom.parse().unwrap()).unwrap();
    assert_eq!(image["name"], "renamed-like-doctl");
    assert_eq!(image["description"], "described");
}

#[test]
fn public_is_accepted_where_doctl_takes_it() {
    let sim = Sim::start();
    for doctl in ["list-distribution", "list-application"] {
        let plain = run(sim.doimg().args(["images", doctl])).ok();
        let public = run(sim.doimg().args(["images", doctl, "--public"])).ok();
        assert!(!ids_of_table(&plain.stdout).is_empty(), "{doctl}");
        assert_eq!(plain.stdout, public.stdout, "{doctl}");
    }
    // --public contradicts --private.
    let before = sim.requests();
    let out = run(sim
        .doimg()
        .args(["images", "list", "--public", "--private"]))
    .expect_code(2);
    assert!(out.stderr.contains("--public"), "{}", out.stderr);
    assert_eq!(sim.requests(), before);
}

#[test]
fn an_empty_listing_says_how_to_see_the_rest() {
    let sim = Sim::start();
    let out = run(sim
        .doimg()
        .args(["images", "list", "--private", "--tag", "no-such-tag"]))
    .ok();
    assert!(ids_of_table(&out.stdout).is_empty(), "{}", out.stdout);
    assert_eq!(
        out.stderr.trim_end(),
        "Note: none of your own images match --tag no-such-tag; `doimg images list --public` \
         lists public images too"
    );
    // JSON output stays an empty array on stdout; the note goes to stderr.
    let out = run(sim
        .doimg()
        .args(["-o", "json", "images", "list-user", "--tag", "no-such-tag"]))
    .ok();
    assert_eq!(out.json(), serde_json::json!([]));
    assert!(
        out.stderr
            .starts_with("Note: none of your own images match"),
        "{}",
        out.stderr
    );
    // A listing with images prints no note.
    let out = run(sim.doimg().args(["images", "list", "--limit", "1"])).ok();
    assert_eq!(out.stderr, "");
}

#[test]
fn doctls_action_column_names_choose_doimgs_columns() {
    let sim = Sim::start();
    let (image, _) = sim.image_with_action();
    let out = run(sim.doimg().args([
        "image-action",
        "list",
        &image.to_string(),
        "--format",
        "ID,StartedAt,CompletedAt,ResourceID,ResourceType",
    ]))
    .ok();
    let header = common::header_cells(&out.stdout);
    let mut lines = out.stdout.lines().skip(1);
    assert_eq!(
        header,
        [
            "ID",
            "Started At",
            "Completed At",
            "Resource ID",
            "Resource Type"
        ]
    );
    let row: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(row[3], image.to_string(), "{}", out.stdout);
    assert_eq!(row[4], "image", "{}", out.stdout);
    // doctl's image columns are doimg's own names.
    let out = run(sim.doimg().args([
        "images",
        "list",
        "--limit",
        "1",
        "--format",
        "MinDisk,Created",
    ]))
    .ok();
    assert!(out.stdout.starts_with("Min Disk"), "{}", out.stdout);
}

#[test]
fn trace_is_verbose() {
    let sim = Sim::start();
    let out = run(sim
        .doimg()
        .args(["--trace", "images", "get", "ubuntu-24-04-x64"]))
    .ok();
    assert!(
        out.stderr.contains("DigitalOcean API answered"),
        "{}",
        out.stderr
    );
}

#[cfg(unix)]
#[test]
fn digitalocean_config_names_doctls_config_file() {
    let sim = Sim::start();
    let config = sim.home().join("somewhere").join("doctl.yaml");
    write_private(&config, &format!("access-token: {}\n", sim.sandbox.token()));
    let list = ["images", "list", "--limit", "1"];
    run(sim.doimg_without_token().args(list)).expect_code(3);
    let out = run(sim
        .doimg_without_token()
        .env("DIGITALOCEAN_CONFIG", &config)
        .args(list))
    .ok();
    assert_eq!(ids_of_table(&out.stdout).len(), 1);
}

#[cfg(unix)]
#[test]
fn the_api_url_of_doctls_config_is_used_unless_one_is_given() {
    let sim = Sim::start();
    let list = ["images", "list", "--limit", "1"];
    write_private(
        &sim.doctl_config_path(),
        &format!(
            "access-token: {}\napi-url: {}\n",
            sim.sandbox.token(),
            sim.sandbox.base_url()
        ),
    );
    let out = run(isolated(sim.home()).args(list)).ok();
    assert_eq!(ids_of_table(&out.stdout).len(), 1);
    // --api-url (or DIGITALOCEAN_API_URL) wins over the file's.
    write_private(
        &sim.doctl_config_path(),
        &format!(
            "access-token: {}\napi-url: not a url\n",
            sim.sandbox.token()
        ),
    );
    let out = run(sim.doimg_without_token().args(list)).ok();
    assert_eq!(ids_of_table(&out.stdout).len(), 1);
    let out = run(isolated(sim.home()).args(list)).expect_code(2);
    assert!(out.stderr.contains("not a url"), "{}", out.stderr);
}
