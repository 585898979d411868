package client

import (
	"context"
	"errors"
	"net"
	"sync"

	"storj.io/drpc"
	"storj.io/drpc/drpcconn"
)

// Dialer opens one in-memory connection to a server in the same process.
type Dialer func() net.Conn

// maxIdle bounds the idle connections a pipeConn keeps for reuse.
const maxIdle = 16

// pipeConn is a drpc.Conn over many in-memory connections. One DRPC
// connection runs one RPC at a time, so each call takes an idle connection
// or opens a new one, and concurrent callers never wait on each other.
type pipeConn struct {
	dial   Dialer
	mu     sync.Mutex
	idle   []*drpcconn.Conn
	closed chan struct{}
	once   sync.Once
}

var _ drpc.Conn = (*pipeConn)(nil)

func newPipeConn(dial Dialer) *pipeConn {
	return &pipeConn{dial: dial, closed: make(chan struct{})}
}

var errClosed = errors.New("client closed")

func (p *pipeConn) get() (*drpcconn.Conn, error) {
	select {
	case <-p.closed:
		return nil, errClosed
	default:
	}

	p.mu.Lock()
	for len(p.idle) > 0 {
		c := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		select {
		case <-c.Closed():
			continue
		default:
		}
		p.mu.Unlock()
		return c, nil
	}
	p.mu.Unlock()
	return drpcconn.New(p.dial()), nil
}

func (p *pipeConn) put(c *drpcconn.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()

	select {
	case <-p.closed:
	default:
		if len(p.idle) < maxIdle {
			p.idle = append(p.idle, c)
			return
		}
	}
	_ = c.Close()
}

// Invoke runs one unary RPC on an idle or new connection.
func (p *pipeConn) Invoke(
	ctx context.Context, rpc string, enc drpc.Encoding, in, out drpc.Message,
) error {
	c, err := p.get()
	if err != nil {
		return err
	}
	err = c.Invoke(ctx, rpc, enc, in, out)
	if ctx.Err() != nil {
		// A canceled call may leave the connection mid-stream.
		_ = c.Close()
		return err
	}
	p.put(c)
	return err
}

// NewStream runs a stream on a connection of its own, closed when the
// stream ends.
func (p *pipeConn) NewStream(
	ctx context.Context, rpc string, enc drpc.Encoding,
) (drpc.Stream, error) {
	c, err := p.get()
	if err != nil {
		return nil, err
	}
	s, err := c.NewStream(ctx, rpc, enc)
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	go func() {
		<-s.Context().Done()
		_ = c.Close()
	}()
	return s, nil
}

// Close closes every idle connection; connections in use close when their
// call ends.
func (p *pipeConn) Close() error {
	p.once.Do(func() {
		p.mu.Lock()
		defer p.mu.Unlock()

		close(p.closed)
		for _, c := range p.idle {
			_ = c.Close()
		}
		p.idle = nil
	})
	return nil
}

// Closed is closed once Close has been called.
func (p *pipeConn) Closed() <-chan struct{} {
	return p.closed
}
