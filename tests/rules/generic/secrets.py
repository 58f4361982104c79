"""Annotated samples for the secrets engine in Python. Every value is synthetic."""
import os

# ruleid: secrets.generic-password
conn = connect(host="db.internal", user="app", password="SdN7JB7mC3MK")
# ok: secrets.generic-password
conn = connect(host="db.internal", user="app", password=os.environ["DB_PASSWORD"])
# ok: secrets.generic-password
password_field = "password"

# ruleid: secrets.generic-secret
client_secret = "63PMBT3Ywpj62EeuAXxlAyKg3GUUoMOh96mpcr0j"
# ok: secrets.generic-secret
client_secret = os.getenv("CLIENT_SECRET")
# ok: secrets.generic-secret
token = "%(token)s"
# ok: secrets.generic-secret
secret_key = settings.SECRET_KEY

# ruleid: secrets.private-key
SIGNING_KEY = """-----BEGIN RSA PRIVATE KEY-----
jqBkfQ/OEpA0Qxtu9RZov3pdGnvl2s8a9n4u0l1PVJ6eAnHG9Zw893qevm75Nbx5
LPlkykoHiB8D27or+hekJTmfYZCSsvo6cHWgYupc2UckdjeD21Te8TIpYkDNFWhr
3iRKzIFkM1Ytbbd0Dv6KC5c2lKDcvgM+TxlKsIA5MOD9wO1NI5uywLC9TGfqToQJ
QEVs2otcQCswUK4iHhy8CyksC/ELcioUoV94eiQJK55DOj1rkLViciTXNqcMwDco
vi1V1bB3eAUBX6oCH0zPc/Hi1UnAu+dvfCNbzgV07kwBgmkhoG7GLkmOj3yF22IS
nLHAmk+V76DxpT+nFwOeu1xyWLIQFwpXqM8QVbACBtrAml/yNQNKJ3syir1dsHcL
-----END RSA PRIVATE KEY-----"""

# ok: secrets.private-key
TEMPLATE = "-----BEGIN PRIVATE KEY-----\n<your key here>\n-----END PRIVATE KEY-----"
