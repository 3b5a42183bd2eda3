"""Alerts: readers' saved searches and watched records, mailed when public statements change."""
