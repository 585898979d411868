DROP TABLE interception_thoughts;
DROP TABLE interception_tool_usages;
DROP TABLE interception_prompts;
DROP TABLE interception_token_usages;
DROP TABLE interceptions;
DROP TYPE interception_error_type;
DROP TYPE interception_status;
DROP TYPE interception_credential_kind;
