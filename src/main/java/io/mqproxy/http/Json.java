package io.mqproxy.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The one JSON mapper of the HTTP edge. */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder()
        .serializationInclusion(JsonInclude.Include.NON_NULL)
        .build();

    private Json() {
    }
}
