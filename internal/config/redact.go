package config

import (
	"net/url"
	"strings"
)

// Redacted returns a deep copy of f in which every secret is replaced by
// "REDACTED": the password in each context's mongo-uri (and secret URI
// options such as tlsCertificateKeyFilePassword) and the SASL password.
func (f *File) Redacted() *File {
	if f == nil {
		return nil
	}
	// Never nil, so an empty file prints as "contexts: []", not null.
	out := &File{CurrentContext: f.CurrentContext, Contexts: make([]Context, len(f.Contexts))}
	for i, c := range f.Contexts {
		out.Contexts[i] = c.Redacted()
	}
	return out
}

// Redacted returns a deep copy of c with its secrets replaced by "REDACTED".
func (c Context) Redacted() Context {
	out := c.Clone()
	out.MongoURI = RedactURI(out.MongoURI)
	if out.SASL != nil && out.SASL.Password != "" {
		out.SASL.Password = redactedPassword
	}
	return out
}

// secretQueryKeys are MongoDB URI options whose value is a secret (lower case).
var secretQueryKeys = map[string]bool{
	"tlscertificatekeyfilepassword":   true,
	"sslclientcertificatekeypassword": true,
}

// RedactURI replaces the password in a MongoDB (or any scheme://) URI with
// "REDACTED", keeping the user name, hosts, database and options readable.
//
// It does not rely on net/url to split the URI, because MongoDB URIs are
// not always URLs that net/url accepts (mongodb://u:p@h1:27017,h2:27017/db)
// and because a hand-written password may contain unescaped '@', '/', '?'
// or ':'. The host list of a MongoDB URI never contains '@', so the user
// information is everything before the last '@', and the password is
// everything in it after the first ':'. When an '@' appears only in the
// options this masks more than the password, never less.
//
// Option values that are secrets (tlsCertificateKeyFilePassword,
// sslClientCertificateKeyPassword, any option whose name contains
// "password" or "secret", and authMechanismProperties carrying a token,
// secret or password) are replaced as well.
func RedactURI(uri string) string {
	if uri == "" {
		return uri
	}
	prefix, rest := "", uri
	if i := strings.Index(uri, "://"); i >= 0 {
		prefix, rest = uri[:i+3], uri[i+3:]
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		userinfo := rest[:at]
		if colon := strings.IndexByte(userinfo, ':'); colon >= 0 && colon < len(userinfo)-1 {
			prefix += userinfo[:colon+1] + redactedPassword + "@"
		} else {
			prefix += userinfo + "@"
		}
		rest = rest[at+1:]
	}
	q := strings.IndexByte(rest, '?')
	if q < 0 {
		return prefix + rest
	}
	return prefix + rest[:q+1] + redactQuery(rest[q+1:])
}

// redactQuery replaces secret option values in a URI query, keeping the
// order and spelling of everything else.
func redactQuery(query string) string {
	var b strings.Builder
	for len(query) > 0 {
		end := strings.IndexAny(query, "&;")
		part, sep := query, ""
		if end >= 0 {
			part, sep, query = query[:end], query[end:end+1], query[end+1:]
		} else {
			query = ""
		}
		if eq := strings.IndexByte(part, '='); eq >= 0 && eq < len(part)-1 && secretOption(part[:eq], part[eq+1:]) {
			part = part[:eq+1] + redactedPassword
		}
		b.WriteString(part)
		b.WriteString(sep)
	}
	return b.String()
}

func secretOption(rawKey, rawValue string) bool {
	key, err := url.QueryUnescape(rawKey)
	if err != nil {
		key = rawKey
	}
	key = strings.ToLower(key)
	if secretQueryKeys[key] || strings.Contains(key, "password") || strings.Contains(key, "secret") {
		return true
	}
	if key == "authmechanismproperties" {
		v, err := url.QueryUnescape(rawValue)
		if err != nil {
			v = rawValue
		}
		v = strings.ToUpper(v)
		return strings.Contains(v, "TOKEN") || strings.Contains(v, "SECRET") || strings.Contains(v, "PASSWORD")
	}
	return false
}
