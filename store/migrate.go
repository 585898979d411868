package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/golang-migrate/migrate/v4"
	pgxmigrate "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/aigateway/aigateway/migrations"
)

// Migrator applies the embedded migrations to one database. golang-migrate
// holds a Postgres advisory lock while it works, so servers that start at
// the same time apply each migration once.
type Migrator struct {
	m *migrate.Migrate
}

// NewMigrator prepares the embedded migrations for the store's database.
func (s *Store) NewMigrator() (*Migrator, error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}

	sqlDB := stdlib.OpenDBFromPool(s.Pool)
	driver, err := pgxmigrate.WithInstance(sqlDB, &pgxmigrate.Config{})
	if err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("prepare migration driver: %w", err)
	}

	m, err := migrate.NewWithInstance("iofs", src, "postgres", driver)
	if err != nil {
		_ = driver.Close()
		return nil, fmt.Errorf("prepare migrations: %w", err)
	}
	return &Migrator{m: m}, nil
}

// Up applies every migration not applied yet.
func (m *Migrator) Up() error {
	if err := m.m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// Down reverts every applied migration.
func (m *Migrator) Down() error {
	if err := m.m.Down(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("revert migrations: %w", err)
	}
	return nil
}

// Version returns the version of the last applied migration, 0 when none
// is, and whether the database was left dirty by a failed migration.
func (m *Migrator) Version() (uint, bool, error) {
	v, dirty, err := m.m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read migration version: %w", err)
	}
	return v, dirty, nil
}

// Close releases the migrator's connection.
func (m *Migrator) Close() error {
	srcErr, dbErr := m.m.Close()
	return errors.Join(srcErr, dbErr)
}

// Migrate applies every pending migration to the store's database.
func (s *Store) Migrate(ctx context.Context) error {
	m, err := s.NewMigrator()
	if err != nil {
		return err
	}
	defer m.Close()

	// golang-migrate takes no context; stop it when ctx ends.
	stop := context.AfterFunc(ctx, func() { m.m.GracefulStop <- true })
	defer stop()
	return m.Up()
}

// LatestVersion returns the number of the newest embedded migration.
func LatestVersion() (uint, error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return 0, fmt.Errorf("read embedded migrations: %w", err)
	}
	defer func() { _ = src.Close() }()

	v, err := src.First()
	if err != nil {
		return 0, fmt.Errorf("read first migration: %w", err)
	}
	for {
		next, err := src.Next(v)
		if err != nil {
			return v, nil
		}
		v = next
	}
}
