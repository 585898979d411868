DROP TABLE api_tokens;
DROP TABLE users;
DROP TYPE user_role;
