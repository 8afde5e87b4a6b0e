//! The Examples section at the end of each command's help: the command
//! lines people come to the help for. The ids are those of the sandbox's
//! seeded data, so most examples run as shown with `doimg --sandbox`.

/// `images list`
pub const IMAGES_LIST: &str = "\
Examples:
  doimg images list                                   # your own images
  doimg images list --public --type distribution      # public distribution images
  doimg images list --tag prod --format ID,Name,Status,Error
  doimg images list --format ID --no-header           # ids only, for a script
  doimg images list -o json | jq -r '.[] | select(.status == \"available\") | .name'";

/// `images list-distribution`
pub const IMAGES_LIST_DISTRIBUTION: &str = "\
Examples:
  doimg images list-distribution
  doimg images list-distribution --format ID,Slug
  doimg images list-distribution -o json | jq -r '.[].slug'";

/// `images list-application`
pub const IMAGES_LIST_APPLICATION: &str = "\
Examples:
  doimg images list-application --format ID,Name,Slug
  doimg images list-application -o json | jq -r '.[].slug'";

/// `images list-user`
pub const IMAGES_LIST_USER: &str = "\
Examples:
  doimg images list-user
  doimg images list-user --tag prod --limit 10
  doimg images list-user -o json | jq -r '.[] | [.id, .name] | @tsv'";

/// `images get`
pub const IMAGES_GET: &str = "\
Examples:
  doimg images get ubuntu-24-04-x64                  # by slug
  doimg images get 4294967002                        # by id
  doimg images get --name web-000000-snapshot        # every image with that name
  doimg images get 4294967002 -o json | jq -r .status";

/// `images create`
pub const IMAGES_CREATE: &str = "\
Examples:
  # Import from a URL and wait until the image is available
  doimg images create --name web --url https://example.com/web.qcow2 --region nyc3 --wait
  # doctl's spelling
  doimg images create web --image-url https://example.com/web.qcow2 --region nyc3
  # Import a local file through a Spaces bucket, then copy it to two more regions
  doimg images create --name web --file web.qcow2 --region nyc3 --spaces-bucket my-images \\
      --regions ams3,sfo3
  # The new image's id, for a script
  doimg images create --name web --url https://example.com/web.qcow2 --region nyc3 -o json \\
      | jq .id";

/// `images update`
pub const IMAGES_UPDATE: &str = "\
Examples:
  doimg images update 4294967002 --name web-v2
  doimg images update 4294967008 --description 'built by CI' --distribution Ubuntu";

/// `images delete`
pub const IMAGES_DELETE: &str = "\
Examples:
  doimg images delete 4294967002                     # asks first on a terminal
  doimg images delete 4294967002 4294967003 --force
  doimg images list --tag old --format ID --no-header | xargs doimg images delete --force";

/// `images wait`
pub const IMAGES_WAIT: &str = "\
Examples:
  doimg images wait 4294967016
  doimg images wait 4294967016 --timeout 30m && echo ready";

/// `images prune`
pub const IMAGES_PRUNE: &str = "\
Examples:
  # See the plan first: what would be deleted and why
  doimg images prune --name-prefix web- --keep 5 --dry-run
  # Then delete: keep the 5 newest, and only delete what is older than 30 days
  doimg images prune --name-prefix web- --keep 5 --older-than 30d --force
  # By tag, snapshots only; the ids the plan would delete, from its JSON
  doimg images prune --tag ci --type snapshot --older-than 2w --dry-run -o json \\
      | jq -r '.images[] | select(.action == \"delete\") | .id'";

/// `images distribute`
pub const IMAGES_DISTRIBUTE: &str = "\
Examples:
  doimg images distribute 4294967002 --regions nyc3,sfo3,ams3
  doimg images distribute 4294967002 --regions nyc3,sfo3 --timeout 30m -o json | jq .regions";

/// `actions list`
pub const ACTIONS_LIST: &str = "\
Examples:
  doimg actions list 4294967002
  doimg actions list 4294967002 -o json | jq -r '.[] | select(.status == \"errored\") | .id'";

/// `actions get`
pub const ACTIONS_GET: &str = "\
Examples:
  doimg actions get 4294967002 1800000023
  doimg actions get 4294967002 --action-id 1800000023   # doctl's spelling
  doimg actions get 4294967002 1800000023 -o json | jq -r .status";

/// `actions transfer`
pub const ACTIONS_TRANSFER: &str = "\
Examples:
  doimg actions transfer 4294967002 --region ams3 --wait
  doimg actions transfer 4294967002 --region ams3 -o json | jq .id    # the action's id";

/// `actions convert`
pub const ACTIONS_CONVERT: &str = "\
Examples:
  doimg actions convert 4294967005 --wait             # a backup becomes a snapshot";

/// `actions wait`
pub const ACTIONS_WAIT: &str = "\
Examples:
  doimg actions wait 4294967002 1800000023
  doimg actions wait 4294967002 1800000023 --timeout 10m";

/// `account-transfers create`
pub const TRANSFERS_CREATE: &str = "\
Examples:
  # To a team your token can act in: accepted at once
  doimg account-transfers create 4294967002 --team 3f1a6c2e-5b7d-4e89-9a0b-1c2d3e4f5a6b
  # To another account, which has to accept it
  doimg account-transfers create 4294967002 --email sammy@example.com";

/// `account-transfers accept`
pub const TRANSFERS_ACCEPT: &str = "\
Examples:
  doimg account-transfers accept 4294967002 --transfer-id 12 \\
      --team 3f1a6c2e-5b7d-4e89-9a0b-1c2d3e4f5a6b";

/// `account-transfers cancel`
pub const TRANSFERS_CANCEL: &str = "\
Examples:
  doimg account-transfers cancel 4294967002 --transfer-id 12";

/// `account-transfers decline`
pub const TRANSFERS_DECLINE: &str = "\
Examples:
  doimg account-transfers decline 4294967002 --transfer-id 12";
