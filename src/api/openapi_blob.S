/* api/openapi_blob.S: spec/openapi.json inside the binary (api/meta.c serves it). The path is
 * the repository's: the Makefile builds from the top of the tree and names the dependency. */
    .section .rodata
    .global api_openapi_json
    .global api_openapi_json_end
    .type api_openapi_json, @object
api_openapi_json:
    .incbin "spec/openapi.json"
api_openapi_json_end:
    .byte 0
    .section .note.GNU-stack, "", @progbits
