package io.pgshuttle.cli.config;

import io.pgshuttle.messages.Secret;

/**
 * One entry of {@code coordinator.apiTokens}: {@code {name: ops, scope: operate, token: ...}}. Null
 * fields are unset (a problem the loader reports).
 */
public record ApiTokenSection(String name, String scope, Secret token) {}
