"""Plumbing that imports no Waypoint app: crypto, safe XML, uploads, spreadsheets, API refusals."""
