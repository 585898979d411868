DROP TABLE audit_logs;
DROP TABLE ai_provider_keys;
DROP TABLE ai_providers;
DROP TYPE ai_provider_type;
