package cli_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/aigateway/aigateway/dbtest"
	"github.com/aigateway/aigateway/server"
)

// certAuthority signs the certificates of a TLS test.
type certAuthority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	dir  string
	n    int64
}

// newCertAuthority makes a CA and writes its certificate to <dir>/ca.pem.
func newCertAuthority(t *testing.T) *certAuthority {
	t.Helper()

	ca := &certAuthority{dir: t.TempDir()}
	cert, key := ca.issue(t, &x509.Certificate{
		Subject:               pkix.Name{CommonName: "aigateway test CA"},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}, "ca")
	ca.cert, ca.key = cert, key
	return ca
}

// issue signs tmpl (self-signed while the CA has no key yet) and writes
// <name>.pem and <name>-key.pem.
func (ca *certAuthority) issue(
	t *testing.T, tmpl *x509.Certificate, name string,
) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	ca.n++
	tmpl.SerialNumber = big.NewInt(ca.n)
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(time.Hour)

	parent, signer := tmpl, key
	if ca.cert != nil {
		parent, signer = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)

	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	writePEM(t, ca.path(name), "CERTIFICATE", der)
	writePEM(t, ca.path(name+"-key"), "PRIVATE KEY", keyDER)
	return cert, key
}

func (ca *certAuthority) path(name string) string {
	return filepath.Join(ca.dir, name+".pem")
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	data := pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
	require.NoError(t, os.WriteFile(path, data, 0o600))
}

func TestRemoteMutualTLS(t *testing.T) {
	t.Parallel()

	ca := newCertAuthority(t)
	ca.issue(t, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, "server")
	ca.issue(t, &x509.Certificate{
		Subject:     pkix.Name{CommonName: "cli"},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, "client")

	g := startGateway(t, dbtest.NewURL(t), func(c *server.Config) {
		c.GRPCTLS = server.TLSConfig{
			CertFile:     ca.path("server"),
			KeyFile:      ca.path("server-key"),
			ClientCAFile: ca.path("ca"),
		}
	})
	base := []string{"--url", g.srv.GRPCAddr(), "--data-dir", g.dataDir, "-c", "username"}

	// The flags, and the CODER_CLIENT_ variables, reach the gateway.
	r := runCLI(t, "", nil, append([]string{
		"users", "list",
		"--client-tls-ca-file", ca.path("ca"),
		"--client-tls-cert-file", ca.path("client"),
		"--client-tls-key-file", ca.path("client-key"),
	}, base...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	require.Equal(t, "USERNAME\nadmin\n", r.stdout)

	r = runCLI(t, "", []string{
		"CODER_CLIENT_TLS_CA_FILE=" + ca.path("ca"),
		"CODER_CLIENT_TLS_CERT_FILE=" + ca.path("client"),
		"CODER_CLIENT_TLS_KEY_FILE=" + ca.path("client-key"),
	}, append([]string{"users", "list"}, base...)...)
	require.Equal(t, 0, r.code, "stderr: %s", r.stderr)
	require.Equal(t, "USERNAME\nadmin\n", r.stdout)

	// Without a client certificate the gateway refuses the connection.
	r = runCLI(t, "", nil, append([]string{
		"users", "list",
		"--client-tls-ca-file", ca.path("ca"),
	}, base...)...)
	require.Equal(t, 1, r.code)
	require.Contains(t, r.stderr, "aigateway: users list: cannot reach the gateway at ")
}
