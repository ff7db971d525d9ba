package config

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// KafkaTLSConfig builds the TLS configuration for the Kafka client, or
// returns nil when TLS is not enabled. Files that cannot be read or parsed
// are reported by name. When no server name is configured, franz-go uses
// the host of each broker it dials.
func (s *Settings) KafkaTLSConfig() (*tls.Config, error) {
	t := s.TLS
	if t == nil || !t.Enabled {
		return nil, nil
	}
	if err := validateTLS(t); err != nil {
		return nil, err
	}
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         t.ServerName,
		InsecureSkipVerify: t.InsecureSkipVerify, //nolint:gosec // explicit operator choice
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("tls ca-file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls ca-file %s: no PEM certificate found", t.CAFile)
		}
		cfg.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls client certificate (cert-file %s, key-file %s): %w", t.CertFile, t.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// KafkaSASL builds the franz-go SASL mechanism, or returns nil when SASL is
// not configured.
func (s *Settings) KafkaSASL() (sasl.Mechanism, error) {
	a := s.SASL
	if a == nil || a.Mechanism == "" {
		return nil, nil
	}
	if err := validateSASL(a); err != nil {
		return nil, err
	}
	mech, _ := ParseMechanism(a.Mechanism)
	switch mech {
	case MechanismPlain:
		return plain.Auth{User: a.Username, Pass: a.Password}.AsMechanism(), nil
	case MechanismScramSHA256:
		return scram.Auth{User: a.Username, Pass: a.Password}.AsSha256Mechanism(), nil
	default: // MechanismScramSHA512; validateSASL rejected anything else
		return scram.Auth{User: a.Username, Pass: a.Password}.AsSha512Mechanism(), nil
	}
}
