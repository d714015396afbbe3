//! Staff accounts: username and password sign-in (Argon2id), sessions in
//! the database, throttling per account and per client address, a password
//! set by someone else that must be changed first, "sign out everywhere",
//! and the admin's account management. Every sign-in and every change is a
//! line in the audit log.

use super::password;
use crate::{
    config::StaffSigninLimits,
    error::OrInternal,
    services::audit::{self, Audit},
    store::Store,
};
use app::{
    api::{
        forms::{parse_username, IssuedPassword, NamedGrants, PasswordForm},
        staff::StaffViewer,
    },
    error::{AppError, Conflict, Invalid},
    model::{Grant, Role},
};
use std::{net::IpAddr, sync::OnceLock};

/// Seconds a staff session lasts: a long shift.
pub const STAFF_SESSION_TTL: i64 = 12 * 60 * 60;
/// The throttling window, in seconds (the limits are in
/// `config::StaffSigninLimits`).
pub const WINDOW: i64 = 15 * 60;

/// A new staff session.
#[derive(Debug, Clone)]
pub struct StaffSession {
    pub token: String,
    pub expires_at: i64,
    pub must_change_password: bool,
}

#[derive(sqlx::FromRow)]
struct Credentials {
    id: i64,
    password_hash: Option<String>,
    disabled: i64,
    must_change_password: i64,
}

/// Verifies off the async threads: Argon2 takes tens of milliseconds.
async fn verify_password(candidate: String, hash: Option<String>) -> bool {
    // An unknown account is checked against a dummy hash, so its answer
    // takes as long as a wrong password's.
    static DUMMY: OnceLock<String> = OnceLock::new();
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => password::verify(&candidate, &h),
        None => {
            let dummy = DUMMY.get_or_init(|| password::hash("dummy-password").unwrap_or_default());
            let _ = password::verify(&candidate, dummy);
            false
        }
    })
    .await
    .unwrap_or(false)
}

async fn hash_password(pw: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .or_internal("hashing a password")?
        .or_internal("hashing a password")
}

/// The caller may act (their password is not waiting to be changed).
pub fn active(who: &StaffViewer) -> Result<(), AppError> {
    if who.must_change_password {
        Err(Conflict::PasswordChangeRequired.into())
    } else {
        Ok(())
    }
}

/// The caller holds one of `roles` and may act.
pub fn require(who: &StaffViewer, roles: &[Role]) -> Result<(), AppError> {
    if !who.has_any(roles) {
        return Err(AppError::Forbidden);
    }
    active(who)
}

/// The roles `user_id` holds.
pub async fn grants(store: &Store, user_id: i64) -> Result<Vec<Grant>, AppError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT role, unit_id FROM staff_role WHERE user_id = $1 ORDER BY role, unit_id",
    )
    .bind(user_id)
    .fetch_all(store.pool())
    .await
    .or_internal("reading roles")?;
    Ok(rows
        .into_iter()
        .filter_map(|(role, unit)| {
            Role::parse(&role).map(|role| Grant {
                role,
                unit_id: (unit != 0).then_some(unit),
            })
        })
        .collect())
}

/// Staff sign-in and the admin's account management.
#[derive(Clone)]
pub struct StaffAccounts {
    store: Store,
    limits: StaffSigninLimits,
}

impl StaffAccounts {
    pub fn new(store: Store, limits: StaffSigninLimits) -> Self {
        Self { store, limits }
    }

    async fn audit(&self, at: i64, entry: Audit<'_>) -> Result<(), AppError> {
        let mut w = self.store.write().await?;
        audit::record(&mut w.tx, at, entry).await?;
        w.commit().await.or_internal("committing an audit line")
    }

    /// Signs a staff member in. Every attempt counts against the account
    /// and the client address before the password is checked, so parallel
    /// guesses cannot exceed the limits.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        client: IpAddr,
    ) -> Result<StaffSession, AppError> {
        let username = parse_username(username).map_err(|_| Invalid::CredentialsWrong)?;
        let now = crate::now();
        let client_s = client.to_string();
        let by_account = self
            .store
            .hit(&format!("staff:acct:{username}"), WINDOW, now)
            .await
            .or_internal("counting sign-ins per account")?;
        let by_address = self
            .store
            .hit(&format!("staff:addr:{client}"), WINDOW, now)
            .await
            .or_internal("counting sign-ins per address")?;
        if by_account > self.limits.per_account || by_address > self.limits.per_address {
            self.audit(
                now,
                Audit {
                    actor_user_id: None,
                    actor: &username,
                    action: "sign_in_throttled",
                    target: Some(&username),
                    detail: None,
                    client: Some(&client_s),
                },
            )
            .await?;
            return Err(AppError::RateLimited);
        }
        let found: Option<Credentials> = sqlx::query_as(
            "SELECT id, password_hash, disabled, must_change_password FROM app_user \
             WHERE username = $1",
        )
        .bind(&username)
        .fetch_optional(self.store.pool())
        .await
        .or_internal("finding a staff account")?;
        let hash = found.as_ref().and_then(|c| c.password_hash.clone());
        let matches = verify_password(password.to_owned(), hash).await;
        let account = match found {
            Some(c) if matches && c.disabled == 0 => c,
            other => {
                let reason = match other {
                    Some(c) if c.disabled != 0 => "disabled",
                    Some(_) => "wrong password",
                    None => "unknown account",
                };
                self.audit(
                    now,
                    Audit {
                        actor_user_id: None,
                        actor: &username,
                        action: "sign_in_failed",
                        target: Some(&username),
                        detail: Some(reason),
                        client: Some(&client_s),
                    },
                )
                .await?;
                return Err(Invalid::CredentialsWrong.into());
            }
        };
        let token = app::model::random_hex(32);
        let expires_at = now + STAFF_SESSION_TTL;
        let mut w = self.store.write().await?;
        sqlx::query(
            "INSERT INTO user_session (token_hash, user_id, created_at, expires_at, kind) \
             VALUES ($1, $2, $3, $4, 'staff')",
        )
        .bind(super::otp::token_hash(&token))
        .bind(account.id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *w.tx)
        .await
        .or_internal("creating a staff session")?;
        audit::record(
            &mut w.tx,
            now,
            Audit {
                actor_user_id: Some(account.id),
                actor: &username,
                action: "sign_in",
                target: Some(&username),
                detail: None,
                client: Some(&client_s),
            },
        )
        .await?;
        w.commit().await.or_internal("committing a staff sign-in")?;
        tracing::info!(%username, "staff signed in");
        Ok(StaffSession {
            token,
            expires_at,
            must_change_password: account.must_change_password != 0,
        })
    }

    /// Replaces the signed-in member's password (allowed while it must be
    /// changed); their other sessions end.
    pub async fn change_password(
        &self,
        who: &StaffViewer,
        current_token: &str,
        form: &PasswordForm,
        client: IpAddr,
    ) -> Result<(), AppError> {
        let new = form.parse()?.to_owned();
        let stored: Option<String> =
            sqlx::query_scalar("SELECT password_hash FROM app_user WHERE id = $1")
                .bind(who.user_id)
                .fetch_optional(self.store.pool())
                .await
                .or_internal("reading a password")?
                .flatten();
        if !verify_password(form.current.clone(), stored).await {
            return Err(Invalid::PasswordWrong.into());
        }
        if form.current == new {
            return Err(Invalid::PasswordUnchanged.into());
        }
        let hash = hash_password(new).await?;
        let now = crate::now();
        let mut w = self.store.write().await?;
        sqlx::query(
            "UPDATE app_user SET password_hash = $1, must_change_password = 0 WHERE id = $2",
        )
        .bind(hash)
        .bind(who.user_id)
        .execute(&mut *w.tx)
        .await
        .or_internal("changing a password")?;
        sqlx::query("DELETE FROM user_session WHERE user_id = $1 AND token_hash <> $2")
            .bind(who.user_id)
            .bind(super::otp::token_hash(current_token))
            .execute(&mut *w.tx)
            .await
            .or_internal("ending other sessions")?;
        audit::record(
            &mut w.tx,
            now,
            Audit {
                actor_user_id: Some(who.user_id),
                actor: &who.username,
                action: "password_change",
                target: Some(&who.username),
                detail: None,
                client: Some(&client.to_string()),
            },
        )
        .await?;
        w.commit().await.or_internal("committing a password change")
    }

    /// Ends every session of the signed-in member, this one included.
    pub async fn sign_out_everywhere(
        &self,
        who: &StaffViewer,
        client: IpAddr,
    ) -> Result<(), AppError> {
        let now = crate::now();
        let mut w = self.store.write().await?;
        let ended = sqlx::query("DELETE FROM user_session WHERE user_id = $1")
            .bind(who.user_id)
            .execute(&mut *w.tx)
            .await
            .or_internal("ending sessions")?
            .rows_affected();
        audit::record(
            &mut w.tx,
            now,
            Audit {
                actor_user_id: Some(who.user_id),
                actor: &who.username,
                action: "sign_out_everywhere",
                target: Some(&who.username),
                detail: Some(&format!("{ended} sessions")),
                client: Some(&client.to_string()),
            },
        )
        .await?;
        w.commit().await.or_internal("committing a sign-out")
    }

    /// Grants named by unit code, checked: at least one, known units.
    async fn resolve_grants(&self, named: &NamedGrants) -> Result<Vec<Grant>, AppError> {
        if named.is_empty() {
            return Err(Invalid::GrantsMissing.into());
        }
        let mut out = Vec::new();
        for (role, unit) in named {
            if *role == Role::Citizen {
                return Err(Invalid::GrantsMissing.into());
            }
            let unit_id = match (role.is_unit_scoped(), unit) {
                (true, Some(code)) => Some(
                    sqlx::query_scalar::<_, i64>("SELECT id FROM unit WHERE code = $1")
                        .bind(code)
                        .fetch_optional(self.store.pool())
                        .await
                        .or_internal("finding a unit")?
                        .ok_or(Invalid::GrantUnitUnknown)?,
                ),
                (true, None) => return Err(Invalid::GrantUnitUnknown.into()),
                (false, _) => None,
            };
            out.push(Grant {
                role: *role,
                unit_id,
            });
        }
        Ok(out)
    }

    async fn write_grants(
        tx: &mut sqlx::AnyConnection,
        user_id: i64,
        grants: &[Grant],
    ) -> Result<(), AppError> {
        sqlx::query("DELETE FROM staff_role WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .or_internal("clearing roles")?;
        for g in grants {
            sqlx::query(
                "INSERT INTO staff_role (user_id, role, unit_id) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(user_id)
            .bind(g.role.as_str())
            .bind(g.unit_id.unwrap_or(0))
            .execute(&mut *tx)
            .await
            .or_internal("granting a role")?;
        }
        // The legacy single-role columns follow the first grant.
        if let Some(first) = grants.first() {
            sqlx::query("UPDATE app_user SET role = $1, unit_id = $2 WHERE id = $3")
                .bind(first.role.as_str())
                .bind(first.unit_id)
                .bind(user_id)
                .execute(&mut *tx)
                .await
                .or_internal("updating a user's role")?;
        }
        Ok(())
    }

    fn describe(grants: &[Grant]) -> String {
        grants
            .iter()
            .map(|g| match g.unit_id {
                Some(u) => format!("{}@{u}", g.role.as_str()),
                None => g.role.as_str().to_owned(),
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// An admin creates an account; its one-time password must be changed
    /// at the first sign-in.
    pub async fn create_user(
        &self,
        who: &StaffViewer,
        username: &str,
        display_name: &str,
        named: &NamedGrants,
        client: IpAddr,
    ) -> Result<(i64, IssuedPassword), AppError> {
        require(who, &[Role::Admin])?;
        let username = parse_username(username)?;
        let display_name = app::model::text::clean(display_name);
        if display_name.chars().count() > 80 {
            return Err(Invalid::DisplayNameTooLong.into());
        }
        let display_name = if display_name.is_empty() {
            username.clone()
        } else {
            display_name
        };
        let grants = self.resolve_grants(named).await?;
        let password = password::generate();
        let hash = hash_password(password.clone()).await?;
        let now = crate::now();
        let mut w = self.store.write().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO app_user (username, display_name, password_hash, role, must_change_password, \
             created_at) VALUES ($1, $2, $3, $4, 1, $5) ON CONFLICT (username) DO NOTHING RETURNING id",
        )
        .bind(&username)
        .bind(&display_name)
        .bind(hash)
        .bind(grants.first().map(|g| g.role.as_str()).unwrap_or("operator"))
        .bind(now)
        .fetch_optional(&mut *w.tx)
        .await
        .or_internal("creating a user")?;
        let id = id.ok_or(Conflict::UsernameTaken)?;
        Self::write_grants(&mut w.tx, id, &grants).await?;
        audit::record(
            &mut w.tx,
            now,
            Audit {
                actor_user_id: Some(who.user_id),
                actor: &who.username,
                action: "user_create",
                target: Some(&username),
                detail: Some(&Self::describe(&grants)),
                client: Some(&client.to_string()),
            },
        )
        .await?;
        w.commit().await.or_internal("committing a new user")?;
        Ok((id, IssuedPassword { username, password }))
    }

    async fn username_of(&self, user_id: i64) -> Result<String, AppError> {
        sqlx::query_scalar::<_, Option<String>>("SELECT username FROM app_user WHERE id = $1")
            .bind(user_id)
            .fetch_optional(self.store.pool())
            .await
            .or_internal("finding a user")?
            .flatten()
            .ok_or(AppError::NotFound)
    }

    /// An admin replaces an account's roles.
    pub async fn set_grants(
        &self,
        who: &StaffViewer,
        user_id: i64,
        named: &NamedGrants,
        client: IpAddr,
    ) -> Result<(), AppError> {
        require(who, &[Role::Admin])?;
        let username = self.username_of(user_id).await?;
        let grants = self.resolve_grants(named).await?;
        let mut w = self.store.write().await?;
        Self::write_grants(&mut w.tx, user_id, &grants).await?;
        audit::record(
            &mut w.tx,
            crate::now(),
            Audit {
                actor_user_id: Some(who.user_id),
                actor: &who.username,
                action: "user_roles",
                target: Some(&username),
                detail: Some(&Self::describe(&grants)),
                client: Some(&client.to_string()),
            },
        )
        .await?;
        w.commit().await.or_internal("committing roles")
    }

    /// An admin resets a password: a new one-time password, every session
    /// of the account ends.
    pub async fn reset_password(
        &self,
        who: &StaffViewer,
        user_id: i64,
        client: IpAddr,
    ) -> Result<IssuedPassword, AppError> {
        require(who, &[Role::Admin])?;
        let username = self.username_of(user_id).await?;
        let password = password::generate();
        let hash = hash_password(password.clone()).await?;
        let mut w = self.store.write().await?;
        sqlx::query(
            "UPDATE app_user SET password_hash = $1, must_change_password = 1 WHERE id = $2",
        )
        .bind(hash)
        .bind(user_id)
        .execute(&mut *w.tx)
        .await
        .or_internal("resetting a password")?;
        sqlx::query("DELETE FROM user_session WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *w.tx)
            .await
            .or_internal("ending sessions")?;
        audit::record(
            &mut w.tx,
            crate::now(),
            Audit {
                actor_user_id: Some(who.user_id),
                actor: &who.username,
                action: "password_reset",
                target: Some(&username),
                detail: None,
                client: Some(&client.to_string()),
            },
        )
        .await?;
        w.commit().await.or_internal("committing a reset")?;
        Ok(IssuedPassword { username, password })
    }

    /// An admin disables (every session ends) or enables an account. An
    /// admin cannot disable their own account.
    pub async fn set_disabled(
        &self,
        who: &StaffViewer,
        user_id: i64,
        disabled: bool,
        client: IpAddr,
    ) -> Result<(), AppError> {
        require(who, &[Role::Admin])?;
        if disabled && user_id == who.user_id {
            return Err(AppError::Forbidden);
        }
        let username = self.username_of(user_id).await?;
        let mut w = self.store.write().await?;
        sqlx::query("UPDATE app_user SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(user_id)
            .execute(&mut *w.tx)
            .await
            .or_internal("disabling a user")?;
        if disabled {
            sqlx::query("DELETE FROM user_session WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *w.tx)
                .await
                .or_internal("ending sessions")?;
        }
        audit::record(
            &mut w.tx,
            crate::now(),
            Audit {
                actor_user_id: Some(who.user_id),
                actor: &who.username,
                action: if disabled {
                    "user_disable"
                } else {
                    "user_enable"
                },
                target: Some(&username),
                detail: None,
                client: Some(&client.to_string()),
            },
        )
        .await?;
        w.commit().await.or_internal("committing a disable")
    }
}
