package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate and its key as PEM files.
func writeCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "replayctl-test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile = filepath.Join(dir, "cert.pem")
	keyFile = filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestKafkaTLSConfig(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeCert(t, dir)
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")

	for _, tt := range []struct {
		name string
		tls  *TLS
	}{{"nil", nil}, {"disabled", &TLS{CAFile: missing}}} {
		s := &Settings{TLS: tt.tls}
		cfg, err := s.KafkaTLSConfig()
		if cfg != nil || err != nil {
			t.Errorf("%s: got %v, %v; want nil, nil", tt.name, cfg, err)
		}
	}

	s := &Settings{TLS: &TLS{Enabled: true, CAFile: cert, CertFile: cert, KeyFile: key, ServerName: "kafka.example", InsecureSkipVerify: true}}
	cfg, err := s.KafkaTLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RootCAs == nil || len(cfg.Certificates) != 1 || cfg.ServerName != "kafka.example" || !cfg.InsecureSkipVerify || cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("config = %+v", cfg)
	}

	s = &Settings{TLS: &TLS{Enabled: true}}
	if cfg, err := s.KafkaTLSConfig(); err != nil || cfg == nil || cfg.RootCAs != nil {
		t.Errorf("enabled with system roots: %+v, %v", cfg, err)
	}

	errCases := []struct {
		name string
		tls  TLS
		want string
	}{
		{"missing ca", TLS{Enabled: true, CAFile: missing}, missing},
		{"garbage ca", TLS{Enabled: true, CAFile: garbage}, garbage},
		{"missing cert", TLS{Enabled: true, CertFile: missing, KeyFile: key}, missing},
		{"garbage key", TLS{Enabled: true, CertFile: cert, KeyFile: garbage}, garbage},
		{"cert without key", TLS{Enabled: true, CertFile: cert}, "key-file"},
	}
	for _, tt := range errCases {
		t.Run(tt.name, func(t *testing.T) {
			s := &Settings{TLS: &tt.tls}
			_, err := s.KafkaTLSConfig()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestKafkaSASL(t *testing.T) {
	for _, tt := range []struct {
		mech, want string
	}{
		{"PLAIN", "PLAIN"},
		{"scram-sha-256", "SCRAM-SHA-256"},
		{"SCRAM-SHA-512", "SCRAM-SHA-512"},
	} {
		s := &Settings{SASL: &SASL{Mechanism: tt.mech, Username: "u", Password: "p"}}
		m, err := s.KafkaSASL()
		if err != nil {
			t.Fatalf("%s: %v", tt.mech, err)
		}
		if m.Name() != tt.want {
			t.Errorf("%s: mechanism name %q, want %q", tt.mech, m.Name(), tt.want)
		}
	}
	for _, s := range []*Settings{{}, {SASL: &SASL{}}} {
		if m, err := s.KafkaSASL(); m != nil || err != nil {
			t.Errorf("no SASL: got %v, %v", m, err)
		}
	}
	s := &Settings{SASL: &SASL{Mechanism: "GSSAPI", Username: "u"}}
	if _, err := s.KafkaSASL(); err == nil {
		t.Error("GSSAPI accepted")
	}
}
