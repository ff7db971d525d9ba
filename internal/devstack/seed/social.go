package seed

import (
	"fmt"
	"time"
)

// userFlow is one user session: an optional registration, a login, some
// settings changes and a logout, aggregated by user id. Some sessions are
// failed or throttled logins, which concern no aggregate (aggregate_id null).
func (g *generator) userFlow() []event {
	if g.chance(12) {
		return g.rejectedLogin()
	}
	user := g.user()
	f := g.newFlow(user, user, "")
	if g.chance(15) {
		name := "user" + hexString(g.r, 6)
		f.add("user_registered", svcAPI, 0, 0,
			e("user_id", user), e("username", name), e("email", name+"@example.com"))
	}
	login := "user_logged_in"
	if g.chance(30) {
		login = "user_login"
	}
	f.add(login, svcAPI, time.Second, time.Minute,
		e("user_id", user), e("login_method", pick(g, []string{"password", "password", "oauth", "api_key"})),
		e("ip_address", g.ip()), e("user_agent", pick(g, userAgents)))
	g.settingsChanges(f, user)
	f.add("user_logged_out", svcAPI, time.Minute, 2*time.Hour,
		e("user_id", user), e("logout_reason", pick(g, []string{"user_initiated", "session_expired"})))
	return f.events
}

func (g *generator) settingsChanges(f *flow, user string) {
	if g.chance(40) {
		f.add("user_settings_updated", svcAPI, 10*time.Second, 10*time.Minute,
			e("user_id", user), e("changed_fields", []string{pick(g, settingsFields)}), e("reason", nil))
	}
	if g.chance(15) {
		f.add("user_updated", svcAPI, 10*time.Second, 10*time.Minute,
			e("user_id", user), e("updated_fields", []string{"email"}), e("updated_by", user))
	}
}

func (g *generator) rejectedLogin() []event {
	f := g.newFlow(uuid4(g.r), nil, "")
	if g.chance(50) {
		f.add("auth_failed", svcAPI, 0, 0,
			e("username", "user"+hexString(g.r, 6)), e("reason", "invalid_credentials"), e("ip_address", g.ip()))
		return f.events
	}
	f.user = g.user()
	f.add("rate_limit_exceeded", svcAPI, 0, 0,
		e("user_id", f.user), e("endpoint", "/api/v1/execute"), e("limit", 100), e("window_seconds", 60))
	return f.events
}

// notificationFlow is one notification from creation to delivery and
// maybe a read and a click, aggregated by notification id.
func (g *generator) notificationFlow() []event {
	user := g.user()
	nid := uuid4(g.r)
	f := g.newFlow(user, nid, "")
	subject, severity, tag := pick(g, []string{"Execution completed", "Execution failed", "Execution timed out"}),
		pick(g, []string{"low", "medium", "high"}), pick(g, []string{"completed", "failed", "timeout"})
	f.add("notification_created", svcNotification, 0, 0,
		e("notification_id", nid), e("user_id", user), e("subject", subject),
		e("body", fmt.Sprintf("%s: execution %s", subject, uuid4(g.r)[:8])),
		e("severity", severity), e("tags", []string{"execution", tag}), e("channels", []string{"in_app"}))
	channel := pick(g, []string{"in_app", "in_app", "in_app", "webhook", "slack"})
	f.wait(20*time.Millisecond, 500*time.Millisecond)
	f.add("notification_sent", svcNotification, 0, 0,
		e("notification_id", nid), e("user_id", user), e("channel", channel), e("sent_at", f.at))
	if g.chance(10) {
		f.add("notification_failed", svcNotification, 100*time.Millisecond, 5*time.Second,
			e("notification_id", nid), e("user_id", user), e("channel", channel),
			e("error", fmt.Sprintf("%s delivery returned HTTP %d", channel, pick(g, []int{429, 502, 503}))),
			e("retry_count", g.r.IntN(3)))
		return f.events
	}
	g.deliver(f, nid, user, channel)
	return f.events
}

func (g *generator) deliver(f *flow, nid, user, channel string) {
	f.wait(50*time.Millisecond, 2*time.Second)
	f.add("notification_delivered", svcNotification, 0, 0,
		e("notification_id", nid), e("user_id", user), e("channel", channel), e("delivered_at", f.at))
	if !g.chance(60) {
		return
	}
	f.wait(10*time.Second, 3*time.Hour)
	f.add("notification_read", svcNotification, 0, 0,
		e("notification_id", nid), e("user_id", user), e("read_at", f.at))
	if g.chance(30) {
		f.wait(time.Second, 30*time.Second)
		f.add("notification_clicked", svcNotification, 0, 0,
			e("notification_id", nid), e("user_id", user), e("clicked_at", f.at), e("action", "view_execution"))
	}
}

// ip returns a private address, as the platform sees clients behind its proxy.
func (g *generator) ip() string {
	return fmt.Sprintf("10.%d.%d.%d", g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
}
