"""Everything that needs torch: building a spec as a model, counting it with real tools, checking, profiling.

Nothing outside this package imports torch at module level (a test holds it to that), so the analytic path
stays torch-free; import these modules only where a command needs them.
"""
