"""Tenant backends: emulated, Microsoft Graph, Teams PowerShell."""
