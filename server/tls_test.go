package server_test

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
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/aigateway/aigateway/client"
	"github.com/aigateway/aigateway/dbtest"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
	"github.com/aigateway/aigateway/server"
)

// certAuthority signs test certificates.
type certAuthority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	dir  string
}

func newCA(t *testing.T, dir, name string) *certAuthority {
	t.Helper()

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	ca := &certAuthority{cert: cert, key: key, dir: dir}
	writePEM(t, filepath.Join(dir, name+".crt"), "CERTIFICATE", der)
	return ca
}

// issue writes a certificate and key signed by the CA and returns their
// paths.
func (ca *certAuthority) issue(t *testing.T, name string, server bool) (string, string) {
	t.Helper()

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)

	certPath := filepath.Join(ca.dir, name+".crt")
	keyPath := filepath.Join(ca.dir, name+".key")
	writePEM(t, certPath, "CERTIFICATE", der)
	writePEM(t, keyPath, "EC PRIVATE KEY", keyDER)
	return certPath, keyPath
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	data := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
	require.NoError(t, os.WriteFile(path, data, 0o600))
}

// TestMTLS serves gRPC with a certificate and requires client
// certificates signed by the client CA.
func TestMTLS(t *testing.T) {
	t.Parallel()

	dir := t.TempDir()
	serverCA := newCA(t, dir, "server-ca")
	clientCA := newCA(t, dir, "client-ca")
	rogueCA := newCA(t, dir, "rogue-ca")
	serverCert, serverKey := serverCA.issue(t, "gateway", true)
	clientCert, clientKey := clientCA.issue(t, "agent", false)
	rogueCert, rogueKey := rogueCA.issue(t, "rogue", false)

	r := startServer(t, dbtest.NewURL(t), t.TempDir(), func(c *server.Config) {
		c.GRPCTLS = server.TLSConfig{
			CertFile: serverCert, KeyFile: serverKey,
			ClientCAFile: filepath.Join(dir, "client-ca.crt"),
		}
	})
	token, err := os.ReadFile(filepath.Join(r.dir, server.AdminTokenFile))
	require.NoError(t, err)
	caFile := filepath.Join(dir, "server-ca.crt")

	call := func(opts client.DialOptions) error {
		opts.Token = strings.TrimSpace(string(token))
		c, err := client.Dial(r.srv.GRPCAddr(), opts)
		require.NoError(t, err)
		defer func() { _ = c.Close() }()
		_, err = c.Users.ListUsers(t.Context(), &aigatewayv1.ListUsersRequest{})
		return err
	}

	t.Run("ClientCertificate", func(t *testing.T) {
		require.NoError(t, call(client.DialOptions{
			CAFile: caFile, CertFile: clientCert, KeyFile: clientKey,
		}))
	})
	t.Run("NoClientCertificate", func(t *testing.T) {
		err := call(client.DialOptions{CAFile: caFile})
		require.Equal(t, codes.Unavailable, status.Code(err), "error: %v", err)
	})
	t.Run("CertificateOfAnotherCA", func(t *testing.T) {
		err := call(client.DialOptions{CAFile: caFile, CertFile: rogueCert, KeyFile: rogueKey})
		require.Equal(t, codes.Unavailable, status.Code(err), "error: %v", err)
	})
	t.Run("Plaintext", func(t *testing.T) {
		err := call(client.DialOptions{})
		require.Equal(t, codes.Unavailable, status.Code(err), "error: %v", err)
	})
	t.Run("UnknownServerCA", func(t *testing.T) {
		err := call(client.DialOptions{
			CAFile: filepath.Join(dir, "client-ca.crt"), CertFile: clientCert, KeyFile: clientKey,
		})
		require.Equal(t, codes.Unavailable, status.Code(err), "error: %v", err)
	})
}
