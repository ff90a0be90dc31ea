//! The login dialog: tenant, username, password, "Sign in"; errors shown as messages in the dialog.
//!
//! Owns: the form's validation before anything is sent (the shared domain rules for tenant and username) and the
//! `Command::Login` it emits. Must not touch: I/O; it edits only its own [`LoginForm`].

use crate::model::LoginForm;
use crate::protocol::{Command, Secret};
use crate::theme::{self, tokens::icon, tokens::size};
use egui::{Button, Frame, Grid, Key, Margin, RichText, TextEdit};
use flowline_shared::{TenantSlug, Username};

pub fn show(ui: &mut egui::Ui, form: &mut LoginForm, server_url: Option<&str>, commands: &mut Vec<Command>) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.12);
        Frame::window(ui.style()).inner_margin(Margin::same(size::PANEL_MARGIN * 2)).show(ui, |ui| {
            ui.set_width(size::DIALOG_WIDTH);
            ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| dialog(ui, form, server_url, commands));
        });
    });
}

fn dialog(ui: &mut egui::Ui, form: &mut LoginForm, server_url: Option<&str>, commands: &mut Vec<Command>) {
    let p = theme::palette(ui);
    ui.label(RichText::new(format!("{} Sign in", icon::NEEDS_LOGIN)).heading().color(p.text_strong));
    if let Some(url) = server_url {
        ui.label(RichText::new(format!("Server: {url}")).color(p.text_weak));
    }
    ui.add_space(size::SPACING);
    let field_width = size::DIALOG_WIDTH - size::FORM_LABEL_WIDTH;
    let mut submitted = false;
    Grid::new("login_form").num_columns(2).spacing([size::SPACING, size::SPACING]).show(ui, |ui| {
        let label = ui.label("Tenant");
        ui.add_enabled(
            !form.in_flight,
            TextEdit::singleline(&mut form.tenant).hint_text("e.g. demo").desired_width(field_width),
        )
        .labelled_by(label.id);
        ui.end_row();
        let label = ui.label("Username");
        ui.add_enabled(!form.in_flight, TextEdit::singleline(&mut form.username).desired_width(field_width))
            .labelled_by(label.id);
        ui.end_row();
        let label = ui.label("Password");
        let password = ui
            .add_enabled(
                !form.in_flight,
                TextEdit::singleline(&mut form.password).password(true).desired_width(field_width),
            )
            .labelled_by(label.id);
        submitted |= password.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
        ui.end_row();
    });
    if let Some(error) = &form.error {
        ui.add_space(size::SPACING * 0.5);
        ui.label(RichText::new(format!("{} {}", icon::ERROR, capitalise(error))).color(p.alarm));
    }
    ui.add_space(size::SPACING);
    ui.horizontal(|ui| {
        submitted |= ui.add_enabled(!form.in_flight, Button::new("Sign in")).clicked();
        if form.in_flight {
            ui.spinner();
            ui.label(RichText::new("Signing in…").color(p.text_weak));
        }
    });
    if submitted && !form.in_flight {
        match validate(form) {
            Ok(command) => {
                form.in_flight = true;
                form.error = None;
                commands.push(command);
            }
            Err(message) => form.error = Some(message),
        }
    }
}

/// The `Command::Login` for the form, or what to fix first. The same rules as the server's, so that a typo is
/// caught before a round trip.
pub fn validate(form: &LoginForm) -> Result<Command, String> {
    if form.tenant.trim().is_empty() {
        return Err("Enter the tenant".to_owned());
    }
    let tenant = TenantSlug::parse(&form.tenant).map_err(|e| capitalise(&e))?;
    if form.username.trim().is_empty() {
        return Err("Enter the username".to_owned());
    }
    let username = Username::parse(&form.username).map_err(|e| capitalise(&e))?;
    if form.password.is_empty() {
        return Err("Enter the password".to_owned());
    }
    Ok(Command::Login {
        tenant: tenant.as_str().to_owned(),
        username: username.as_str().to_owned(),
        password: Secret::new(form.password.clone()),
    })
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    struct State {
        form: LoginForm,
        commands: Vec<Command>,
    }

    fn harness(form: LoginForm) -> Harness<'static, State> {
        Harness::new_ui_state(
            |ui, state: &mut State| show(ui, &mut state.form, Some("http://ops.example:8080"), &mut state.commands),
            State { form, commands: Vec::new() },
        )
    }

    #[test]
    fn typing_credentials_and_clicking_sign_in_emits_login() {
        let mut harness = harness(LoginForm::default());
        harness.get_by_label("Tenant").click();
        harness.run();
        harness.get_by_label("Tenant").type_text("demo");
        harness.get_by_label("Username").click();
        harness.run();
        harness.get_by_label("Username").type_text("operator");
        harness.get_by_label("Password").click();
        harness.run();
        harness.get_by_label("Password").type_text("s3cret");
        harness.run();
        harness.get_by_label("Sign in").click();
        // The spinner that follows keeps repainting: step instead of waiting for the ui to settle.
        harness.run_steps(2);
        assert_eq!(
            harness.state().commands,
            vec![Command::Login {
                tenant: "demo".into(),
                username: "operator".into(),
                password: Secret::new("s3cret")
            }]
        );
        assert!(harness.state().form.in_flight);
        assert!(harness.query_by_label("Signing in…").is_some());
    }

    #[test]
    fn an_invalid_tenant_is_explained_and_nothing_is_sent() {
        let form = LoginForm {
            tenant: "Demo Co".into(),
            username: "operator".into(),
            password: "x".into(),
            ..Default::default()
        };
        let mut harness = harness(form);
        harness.get_by_label("Sign in").click();
        harness.run();
        assert!(harness.state().commands.is_empty());
        let error = harness.state().form.error.clone().unwrap_or_default();
        assert!(error.starts_with("Tenant \"Demo Co\" must be"), "{error}");
        assert!(harness.query_by_label_contains("must be 2-63 lowercase letters").is_some());
    }

    #[test]
    fn a_server_error_is_shown_in_the_dialog() {
        let form = LoginForm { error: Some("Invalid tenant, username or password".into()), ..Default::default() };
        let mut harness = harness(form);
        harness.run();
        assert!(harness.query_by_label_contains("Invalid tenant, username or password").is_some());
        assert!(harness.query_by_label_contains("http://ops.example:8080").is_some());
    }

    #[test]
    fn validation_rules() {
        let ok =
            LoginForm { tenant: " demo ".into(), username: "op".into(), password: "pw".into(), ..Default::default() };
        assert!(matches!(validate(&ok), Ok(Command::Login { tenant, .. }) if tenant == "demo"));
        let no_tenant = LoginForm { tenant: "  ".into(), ..ok.clone() };
        assert_eq!(validate(&no_tenant), Err("Enter the tenant".to_owned()));
        let no_password = LoginForm { password: String::new(), ..ok.clone() };
        assert_eq!(validate(&no_password), Err("Enter the password".to_owned()));
        let bad_user = LoginForm { username: "a b".into(), ..ok };
        assert!(validate(&bad_user).is_err());
    }
}
