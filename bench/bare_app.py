"""The webhook benchmark's baseline: a bare Flask endpoint that parses the form and answers TwiML."""

from flask import Flask, Response, request

app = Flask(__name__)


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.post("/twilio/sms")
def sms():
    _ = request.form.get("Body")
    return Response(
        "<?xml version='1.0' encoding='UTF-8'?><Response><Message>ok</Message></Response>", mimetype="application/xml"
    )
