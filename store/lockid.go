package store

// Advisory lock ids. Every Postgres advisory lock the gateway takes is named
// here, so that no two features ever pick the same number by accident.
// golang-migrate derives its own lock id from the database and table names.
const (
	// LockBootstrap guards the creation of the first owner at first start.
	LockBootstrap int64 = 0x61676177_0001
	// LockProviderSeed guards the reconciliation of environment providers
	// with the ai_providers table at boot.
	LockProviderSeed int64 = 0x61676177_0002
	// LockTestTemplate guards the creation of the migrated template database
	// that test databases are cloned from.
	LockTestTemplate int64 = 0x61676177_0003
)
