"""The build wing: parse, map, validate and write a build directory, streaming, parallel and incremental."""
