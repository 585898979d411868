package control

import (
	"context"
	"slices"

	"github.com/aigateway/aigateway/auth"
)

// action is something a caller may be allowed to do.
type action string

// The actions of the authorization table.
const (
	actManageProviders  action = "manage providers and keys"
	actReadProviders    action = "read providers"
	actManageUsers      action = "manage users"
	actManageAnyToken   action = "manage other users' tokens"
	actManageOwnToken   action = "manage own tokens"
	actManageOwnSecrets action = "manage own secrets"
	actRecord           action = "record interceptions"
	actReadInterception action = "read interceptions"
	actReadAudit        action = "read the audit log"
	actComplete         action = "run completions"
)

// allowed is the authorization table: which roles may take each action.
var allowed = map[action][]auth.Role{
	actManageProviders:  {auth.RoleOwner},
	actReadProviders:    {auth.RoleOwner, auth.RoleAuditor},
	actManageUsers:      {auth.RoleOwner},
	actManageAnyToken:   {auth.RoleOwner},
	actManageOwnToken:   {auth.RoleOwner, auth.RoleAuditor, auth.RoleMember, auth.RoleServiceAccount},
	actManageOwnSecrets: {auth.RoleOwner, auth.RoleAuditor, auth.RoleMember, auth.RoleServiceAccount},
	actRecord:           {auth.RoleOwner, auth.RoleMember, auth.RoleServiceAccount},
	actReadInterception: {auth.RoleOwner, auth.RoleAuditor},
	actReadAudit:        {auth.RoleOwner, auth.RoleAuditor},
	actComplete:         {auth.RoleOwner, auth.RoleAuditor, auth.RoleMember, auth.RoleServiceAccount},
}

// may reports whether role may take act.
func may(role auth.Role, act action) bool {
	return slices.Contains(allowed[act], role)
}

// authorize returns the caller when its role may take act, else a
// permission error naming the action.
func authorize(ctx context.Context, act action) (auth.Initiator, error) {
	ini, err := caller(ctx)
	if err != nil {
		return ini, err
	}
	if !may(ini.Role, act) {
		return ini, denied("role %s may not %s", ini.Role, act)
	}
	return ini, nil
}
