"""Apply engine: durable jobs leased by workers, test-then-set writes, progress and reports."""
