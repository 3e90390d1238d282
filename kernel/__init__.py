"""The platform kernel: infrastructure every app builds on and no business rule lives in.

Money, periods, the clock, error codes, the GraphQL base (errors, request context, node ids,
pagination, dataloaders) and COPY bulk loading. It sits below every business app in the
import-linter layers: it may import Django and libraries, never an app.
"""
