"""Requests to the SESAU NTS: kinds, validation, catalogues, the guided
conversation, the store, planilhas, attachments and the protocol number."""
