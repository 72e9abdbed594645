//! The users page: the clinic's people and their roles, and the form that adds one.

use std::fmt::Write as _;

use actix_web::{HttpRequest, HttpResponse, web};
use secrecy::SecretString;
use serde::Deserialize;

use super::admin_common::{
    Outcome, admin_form, admin_message, admin_viewer, load_failed, outcome_notice,
};
use super::html::{Section, esc, html, page, see_other, when};
use super::notice::signed;
use crate::admin::{self};
use crate::state::{AppState, AppStore};
use fieldclinic_stores::accounts::Role;

/// `GET /admin/users`.
pub async fn users_page<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    outcome: web::Query<Outcome>,
) -> HttpResponse {
    let (v, _) = match admin_viewer(&state.store, &req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let users = match state.store.clinic_users(&v.who.clinic_id).await {
        Ok(u) => u,
        Err(e) => {
            return load_failed(&v, Section::Users, "Listing users failed.", &e);
        }
    };
    let mut main = format!("<h1>Users</h1>{}", outcome_notice(&outcome));
    main.push_str("<div class=\"table-wrap\"><table><caption>People who can sign in</caption><thead><tr><th scope=\"col\">Email</th><th scope=\"col\">Role</th><th scope=\"col\">Since</th><th scope=\"col\">Status</th></tr></thead><tbody>");
    for u in &users {
        let _ = write!(
            main,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&u.email),
            u.role.as_str(),
            esc(&when(u.created_at_millis)),
            if u.disabled_at_millis.is_some() {
                "Disabled"
            } else {
                "Active"
            },
        );
    }
    let _ = write!(
        main,
        "</tbody></table></div><h2>Add a user</h2>\
         <form method=\"post\" action=\"/admin/users\" class=\"stack narrow\">{}\
         <label for=\"new-email\">Email</label><input id=\"new-email\" name=\"email\" type=\"email\" required>\
         <label for=\"new-role\">Role</label><select id=\"new-role\" name=\"role\"><option value=\"volunteer\">Volunteer</option>\
         <option value=\"supervisor\">Supervisor</option><option value=\"admin\">Admin</option></select>\
         <label for=\"new-password\">Initial password (at least 12 characters)</label>\
         <input id=\"new-password\" name=\"password\" type=\"password\" minlength=\"12\" autocomplete=\"new-password\" required>\
         <button type=\"submit\">Add user</button></form>",
        v.csrf_field()
    );
    html(page("Users", Some(&v), Section::Users, &main))
}

/// `POST /admin/users` form.
#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    csrf: String,
    email: String,
    role: Role,
    password: SecretString,
}

/// `POST /admin/users`.
pub async fn create_user<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    form: web::Form<NewUserForm>,
) -> HttpResponse {
    let (v, actor) = match admin_form(&state.store, &req, &form.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let form = form.into_inner();
    match admin::create_user(
        &state.store,
        v.who.clinic_id,
        &form.email,
        form.role,
        form.password,
        &actor,
    )
    .await
    {
        Ok(u) => see_other(&format!(
            "/admin/users?{}",
            signed("done", &format!("Added {}.", u.email))
        )),
        Err(e) => see_other(&format!(
            "/admin/users?{}",
            signed("error", &admin_message(&e))
        )),
    }
}
