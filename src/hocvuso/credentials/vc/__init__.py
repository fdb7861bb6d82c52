"""Portable credentials: W3C VC 2.0 / Open Badges 3.0 with eddsa-rdfc-2022 proofs.

Nothing here reads the database: the functions take what they sign or verify
as arguments, so the Certificate model (and anything else) can call them.
``did`` makes the issuer's did:web document and JWKS, ``badge`` builds an
``OpenBadgeCredential``, ``proof`` signs and checks Data Integrity proofs,
``status`` makes and reads Bitstring Status Lists, ``verify`` checks a whole
credential offline; ``loader`` serves the pinned JSON-LD contexts and
``terms`` refuses documents with terms no context defines.
"""
