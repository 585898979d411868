DROP TRIGGER users_soft_delete ON users;
DROP FUNCTION delete_user_credentials();
DROP TABLE user_secrets;
DROP TABLE dbcrypt_keys;
