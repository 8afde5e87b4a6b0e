//! Accounts and teams: who a token is, and which teams it may act for.
//!
//! Every token is one account: a person (an email address) working in one
//! team. Images belong to teams; an account sees the public images and its
//! team's own. An account may also have permission in other teams, which
//! lets it move an image into those teams at once and accept transfers on
//! their behalf.

use std::sync::Arc;

/// The token a sandbox accepts unless told otherwise. It is not a secret:
/// it only opens a simulation on 127.0.0.1.
pub const DEFAULT_TOKEN: &str = "dop_v1_sandbox_0000000000000000000000000000000000000000";

/// One account of a sandbox.
///
/// ```
/// use do_images_sandbox::Account;
///
/// let ops = Account::new(
///     "dop_v1_ops_token",
///     "ops@example.com",
///     "6a3e0f4c-1d2b-4c5e-8f90-a1b2c3d4e5f6",
/// )
/// .with_permission_in("0a5e1d8e-0000-4000-8000-000000000001");
/// assert_eq!(ops.email, "ops@example.com");
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Account {
    /// The bearer token that acts as this account.
    pub token: String,
    /// The email address of the account's person: transfers to it wait
    /// for this account to accept them.
    pub email: String,
    /// The uuid of the team the account works in: its images belong to
    /// this team, and its listing shows them.
    pub team_uuid: String,
    /// Other teams in which the account has enough permissions to take
    /// images.
    pub other_teams: Vec<String>,
}

/// Shows everything but the token.
impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("token", &"<redacted>")
            .field("email", &self.email)
            .field("team_uuid", &self.team_uuid)
            .field("other_teams", &self.other_teams)
            .finish()
    }
}

impl Account {
    /// An account with `token`, for the person at `email`, working in the
    /// team `team_uuid`.
    pub fn new(
        token: impl Into<String>,
        email: impl Into<String>,
        team_uuid: impl Into<String>,
    ) -> Self {
        Self {
            token: token.into(),
            email: email.into(),
            team_uuid: team_uuid.into(),
            other_teams: Vec::new(),
        }
    }

    /// Gives the account permission in the team `team_uuid` as well.
    pub fn with_permission_in(mut self, team_uuid: impl Into<String>) -> Self {
        self.other_teams.push(team_uuid.into());
        self
    }

    /// The accounts a sandbox has unless told otherwise:
    ///
    /// 1. the primary account ([`DEFAULT_TOKEN`]), which owns every seeded
    ///    private image, in its own team, with permission in the third
    ///    account's team;
    /// 2. a second account in a team of its own;
    /// 3. a third account in a team of its own.
    ///
    /// So the primary account can send an image to the third account's team
    /// at once, and to the second account only by a transfer it accepts.
    pub fn defaults() -> Vec<Account> {
        vec![
            Account::new(DEFAULT_TOKEN, "primary@sandbox.example", team(1))
                .with_permission_in(team(3)),
            Account::new(sandbox_token('1'), "second@sandbox.example", team(2)),
            Account::new(sandbox_token('2'), "third@sandbox.example", team(3)),
        ]
    }
}

/// The uuid of the `n`th default team.
fn team(n: u8) -> String {
    format!("0a5e1d8e-0000-4000-8000-{n:012}")
}

/// A token shaped like [`DEFAULT_TOKEN`], made of one repeated digit.
fn sandbox_token(digit: char) -> String {
    let body: String = std::iter::repeat_n(digit, 40).collect();
    format!("dop_v1_sandbox_{body}")
}

/// The account a request acts as, put into the request by the request layer.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub email: Arc<str>,
    pub team: Arc<str>,
    other_teams: Arc<[Arc<str>]>,
}

impl Caller {
    pub fn new(account: &Account) -> Self {
        Self {
            email: account.email.as_str().into(),
            team: account.team_uuid.as_str().into(),
            other_teams: account
                .other_teams
                .iter()
                .map(|t| Arc::from(t.as_str()))
                .collect(),
        }
    }

    /// Whether the caller may take images into `team`.
    pub fn has_permission_in(&self, team: &str) -> bool {
        *self.team == *team || self.other_teams.iter().any(|t| **t == *team)
    }

    /// Whether `email` is the caller's (compared as mail systems do, without
    /// regard to case).
    pub fn has_email(&self, email: &str) -> bool {
        self.email.eq_ignore_ascii_case(email)
    }
}

/// Every account of a running sandbox, found by token.
pub(crate) struct Accounts {
    accounts: Vec<(Account, Caller)>,
}

impl Accounts {
    pub fn new(accounts: &[Account]) -> Self {
        Self {
            accounts: accounts
                .iter()
                .map(|a| (a.clone(), Caller::new(a)))
                .collect(),
        }
    }

    /// The account that `token` acts as, and its index among the accounts.
    pub fn caller(&self, token: &str) -> Option<(usize, &Caller)> {
        self.accounts
            .iter()
            .enumerate()
            .find(|(_, (account, _))| account.token == token)
            .map(|(index, (_, caller))| (index, caller))
    }

    /// Whether any account works in, or has permission in, `team`.
    pub fn team_exists(&self, team: &str) -> bool {
        self.accounts
            .iter()
            .any(|(_, caller)| caller.has_permission_in(team))
    }

    pub fn all(&self) -> impl Iterator<Item = &Account> {
        self.accounts.iter().map(|(account, _)| account)
    }

    /// The primary account: the first.
    pub fn primary(&self) -> &Account {
        &self.accounts[0].0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_no_token() {
        let account = Account::new("dop_v1_accountSECRET", "a@example.com", "team");
        let shown = format!("{account:?}");
        assert!(!shown.contains("accountSECRET"), "{shown}");
        assert!(shown.contains("a@example.com"), "{shown}");
    }
}
