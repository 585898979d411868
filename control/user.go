package control

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/aigateway/aigateway/apitoken"
	"github.com/aigateway/aigateway/auth"
	"github.com/aigateway/aigateway/gen/db"
	aigatewayv1 "github.com/aigateway/aigateway/gen/proto/aigateway/v1"
	"github.com/aigateway/aigateway/store"
)

// usernamePattern is the users table's CHECK on usernames, checked here too
// so that a bad name is an invalid argument rather than a database error.
var usernamePattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$`)

// protoRoles maps each stored role to its protobuf value.
var protoRoles = map[db.UserRole]aigatewayv1.Role{
	db.UserRoleOwner:          aigatewayv1.Role_ROLE_OWNER,
	db.UserRoleAuditor:        aigatewayv1.Role_ROLE_AUDITOR,
	db.UserRoleMember:         aigatewayv1.Role_ROLE_MEMBER,
	db.UserRoleServiceAccount: aigatewayv1.Role_ROLE_SERVICE_ACCOUNT,
}

// UserService implements aigatewayv1.UserServiceServer. Owners manage users
// and every token; every other user manages their own tokens. Each change
// writes an audit entry in the same transaction.
type UserService struct {
	aigatewayv1.UnimplementedUserServiceServer

	st *store.Store
}

// NewUserService returns the user service over st.
func NewUserService(st *store.Store) *UserService {
	return &UserService{st: st}
}

// CreateUser adds a user. A taken username, also one of a deleted user, is
// AlreadyExists: usernames are never reused.
func (s *UserService) CreateUser(
	ctx context.Context, req *aigatewayv1.CreateUserRequest,
) (*aigatewayv1.CreateUserResponse, error) {
	ini, err := authorize(ctx, actManageUsers)
	if err != nil {
		return nil, err
	}
	name := req.GetUsername()
	if !usernamePattern.MatchString(name) {
		return nil, invalid("username",
			"must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	role, ok := storedRole(req.GetRole())
	if !ok {
		return nil, invalid("role", "must be owner, auditor, member or service account")
	}

	var user db.User
	err = s.st.InTx(ctx, func(_ pgx.Tx, q db.Querier) error {
		var err error
		user, err = q.InsertUser(ctx, db.InsertUserParams{Username: name, Role: role})
		if err != nil {
			return fromStore(fmt.Sprintf("user %q", name), err)
		}
		diff := map[string]userView{"after": viewOfUser(user)}
		return audit(ctx, q, ini.UserID, auditCreate, auditResourceUser, user.ID.String(), diff)
	})
	if err != nil {
		return nil, orInternal("create user", err)
	}
	return &aigatewayv1.CreateUserResponse{User: userMessage(user)}, nil
}

// ListUsers lists the users that are not deleted, by username.
func (s *UserService) ListUsers(
	ctx context.Context, _ *aigatewayv1.ListUsersRequest,
) (*aigatewayv1.ListUsersResponse, error) {
	if _, err := authorize(ctx, actManageUsers); err != nil {
		return nil, err
	}

	users, err := s.st.Queries.ListUsers(ctx)
	if err != nil {
		return nil, internal("list users", err)
	}
	resp := &aigatewayv1.ListUsersResponse{Users: make([]*aigatewayv1.User, 0, len(users))}
	for _, u := range users {
		resp.Users = append(resp.Users, userMessage(u))
	}
	return resp, nil
}

// DeleteUser soft-deletes a user, after which the user's tokens no longer
// authenticate. Callers cannot delete themselves, so that an owner always
// remains.
func (s *UserService) DeleteUser(
	ctx context.Context, req *aigatewayv1.DeleteUserRequest,
) (*aigatewayv1.DeleteUserResponse, error) {
	ini, err := authorize(ctx, actManageUsers)
	if err != nil {
		return nil, err
	}
	name := req.GetUsername()
	if name == "" {
		return nil, invalid("username", "is required")
	}

	err = s.st.InTx(ctx, func(_ pgx.Tx, q db.Querier) error {
		user, err := q.GetUserByUsername(ctx, name)
		if err != nil {
			return fromStore(fmt.Sprintf("user %q", name), err)
		}
		if user.ID == ini.UserID {
			return precondition("a user cannot delete themselves")
		}

		n, err := q.SoftDeleteUser(ctx, user.ID)
		if err != nil {
			return internal("delete user", err)
		}
		if n == 0 {
			// Deleted by someone else since the read above.
			return notFound("user %q: not found", name)
		}
		diff := map[string]userView{"before": viewOfUser(user)}
		return audit(ctx, q, ini.UserID, auditDelete, auditResourceUser, user.ID.String(), diff)
	})
	if err != nil {
		return nil, orInternal("delete user", err)
	}
	return &aigatewayv1.DeleteUserResponse{}, nil
}

// CreateToken issues a token for the caller or, for an owner, for the named
// user. The secret is in the response only; the store keeps its hash.
func (s *UserService) CreateToken(
	ctx context.Context, req *aigatewayv1.CreateTokenRequest,
) (*aigatewayv1.CreateTokenResponse, error) {
	ini, err := authorize(ctx, actManageOwnToken)
	if err != nil {
		return nil, err
	}
	expires, err := timestamptz("expires_at", req.GetExpiresAt())
	if err != nil {
		return nil, err
	}
	if expires.Valid && !expires.Time.After(time.Now()) {
		return nil, invalid("expires_at", "is not in the future")
	}
	tok, err := apitoken.New()
	if err != nil {
		return nil, internal("make token", err)
	}

	var row db.ListAPITokensRow
	err = s.st.InTx(ctx, func(_ pgx.Tx, q db.Querier) error {
		user, err := tokenOwner(ctx, q, ini, req.GetUsername())
		if err != nil {
			return err
		}
		created, err := q.InsertAPIToken(ctx, db.InsertAPITokenParams{
			ID: tok.ID, UserID: user.ID, HashedSecret: tok.Hash(), ExpiresAt: expires,
		})
		if err != nil {
			return fromStore("token", err)
		}

		row = db.ListAPITokensRow{
			ID: created.ID, UserID: created.UserID, CreatedAt: created.CreatedAt,
			ExpiresAt: created.ExpiresAt, Username: user.Username,
		}
		diff := map[string]tokenView{"after": viewOfToken(row)}
		return audit(ctx, q, ini.UserID, auditCreate, auditResourceToken, tok.ID, diff)
	})
	if err != nil {
		return nil, orInternal("create token", err)
	}
	return &aigatewayv1.CreateTokenResponse{Token: tokenMessage(row), Secret: tok.String()}, nil
}

// ListTokens lists the caller's tokens, a named user's (owners only) or,
// with all, everyone's (owners only), newest first. Secrets are never
// listed: only their hashes are stored.
func (s *UserService) ListTokens(
	ctx context.Context, req *aigatewayv1.ListTokensRequest,
) (*aigatewayv1.ListTokensResponse, error) {
	ini, err := authorize(ctx, actManageOwnToken)
	if err != nil {
		return nil, err
	}

	var userID uuid.NullUUID
	if req.GetAll() {
		if !may(ini.Role, actManageAnyToken) {
			return nil, denied("role %s may not %s", ini.Role, actManageAnyToken)
		}
		if req.GetUsername() != "" {
			return nil, invalid("username", "must be empty when all is set")
		}
	} else {
		user, err := tokenOwner(ctx, s.st.Queries, ini, req.GetUsername())
		if err != nil {
			return nil, err
		}
		userID = uuid.NullUUID{UUID: user.ID, Valid: true}
	}

	rows, err := s.st.Queries.ListAPITokens(ctx, userID)
	if err != nil {
		return nil, internal("list tokens", err)
	}
	resp := &aigatewayv1.ListTokensResponse{Tokens: make([]*aigatewayv1.Token, 0, len(rows))}
	for _, r := range rows {
		resp.Tokens = append(resp.Tokens, tokenMessage(r))
	}
	return resp, nil
}

// RevokeToken revokes a token by id: the caller's own, or any for an owner.
// Another user's token is NotFound to a caller who may not revoke it, the
// same as a token that does not exist, so that token ids do not leak.
func (s *UserService) RevokeToken(
	ctx context.Context, req *aigatewayv1.RevokeTokenRequest,
) (*aigatewayv1.RevokeTokenResponse, error) {
	ini, err := authorize(ctx, actManageOwnToken)
	if err != nil {
		return nil, err
	}
	id := req.GetId()
	if id == "" {
		return nil, invalid("id", "is required")
	}

	err = s.st.InTx(ctx, func(_ pgx.Tx, q db.Querier) error {
		tok, err := q.GetAPITokenWithUser(ctx, id)
		if err != nil {
			return fromStore(fmt.Sprintf("token %q", id), err)
		}
		if tok.UserID != ini.UserID && !may(ini.Role, actManageAnyToken) {
			return notFound("token %q: not found", id)
		}
		if tok.Revoked {
			return precondition("token %q is already revoked", id)
		}

		n, err := q.RevokeAPIToken(ctx, id)
		if err != nil {
			return internal("revoke token", err)
		}
		if n == 0 {
			// Revoked by someone else since the read above.
			return precondition("token %q is already revoked", id)
		}

		before := viewOfToken(db.ListAPITokensRow{
			UserID: tok.UserID, Username: tok.Username, ExpiresAt: tok.ExpiresAt,
		})
		after := before
		after.Revoked = true
		diff := map[string]tokenView{"before": before, "after": after}
		return audit(ctx, q, ini.UserID, auditRevoke, auditResourceToken, id, diff)
	})
	if err != nil {
		return nil, orInternal("revoke token", err)
	}
	return &aigatewayv1.RevokeTokenResponse{}, nil
}

// tokenOwner returns the user whose tokens a request names: the caller when
// username is empty or the caller's own, else, for callers who may manage
// other users' tokens, the named user. The permission check comes before
// the lookup, so that a denied caller learns nothing about the name.
func tokenOwner(
	ctx context.Context, q db.Querier, ini auth.Initiator, username string,
) (db.User, error) {
	if username == "" || username == ini.Username {
		user, err := q.GetUserByID(ctx, ini.UserID)
		if err != nil {
			return db.User{}, fromStore("caller's user", err)
		}
		if user.Deleted {
			return db.User{}, notFound("caller's user: not found")
		}
		return user, nil
	}

	if !may(ini.Role, actManageAnyToken) {
		return db.User{}, denied("role %s may not %s", ini.Role, actManageAnyToken)
	}
	user, err := q.GetUserByUsername(ctx, username)
	if err != nil {
		return db.User{}, fromStore(fmt.Sprintf("user %q", username), err)
	}
	return user, nil
}

// storedRole returns the stored role of a protobuf role; false for
// ROLE_UNSPECIFIED and values this server does not know.
func storedRole(r aigatewayv1.Role) (db.UserRole, bool) {
	for stored, p := range protoRoles {
		if p == r {
			return stored, true
		}
	}
	return "", false
}

func userMessage(u db.User) *aigatewayv1.User {
	return &aigatewayv1.User{
		Id:        u.ID.String(),
		Username:  u.Username,
		Role:      protoRoles[u.Role],
		CreatedAt: timestamp(u.CreatedAt),
	}
}

func tokenMessage(r db.ListAPITokensRow) *aigatewayv1.Token {
	return &aigatewayv1.Token{
		Id:         r.ID,
		UserId:     r.UserID.String(),
		Username:   r.Username,
		CreatedAt:  timestamp(r.CreatedAt),
		LastUsedAt: timestamp(r.LastUsedAt),
		ExpiresAt:  timestamp(r.ExpiresAt),
		Revoked:    r.Revoked,
	}
}

// userView is a user as an audit entry shows it.
type userView struct {
	Username string      `json:"username"`
	Role     db.UserRole `json:"role"`
}

func viewOfUser(u db.User) userView {
	return userView{Username: u.Username, Role: u.Role}
}

// tokenView is a token as an audit entry shows it: who holds it and how
// long it lives, never its secret or the secret's hash.
type tokenView struct {
	UserID    uuid.UUID  `json:"user_id"`
	Username  string     `json:"username"`
	ExpiresAt *time.Time `json:"expires_at"`
	Revoked   bool       `json:"revoked"`
}

func viewOfToken(r db.ListAPITokensRow) tokenView {
	v := tokenView{UserID: r.UserID, Username: r.Username, Revoked: r.Revoked}
	if r.ExpiresAt.Valid {
		v.ExpiresAt = &r.ExpiresAt.Time
	}
	return v
}
