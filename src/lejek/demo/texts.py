"""Phrases for demo deals, leads and activities: what was sold, why it was lost, what is next."""

PRODUCTS = (
    "CRM licences",
    "Annual subscription",
    "Implementation project",
    "Pilot",
    "Support plan",
    "Fleet tracking",
    "Data migration",
    "Training package",
    "Warehouse system",
    "Renewal",
    "Upsell: extra seats",
    "Consulting retainer",
    "Integration with ERP",
    "Hardware refresh",
    "Security audit",
    "Cloud hosting",
    "Mobile app",
    "Reporting add-on",
)

LOST_REASONS = (
    "Price too high for the value they saw",
    "Chose a competitor",
    "No budget this year",
    "Project postponed",
    "No decision: went quiet after the proposal",
    "Contract terms not acceptable (payment terms)",
    "Missing feature: integration with their ERP",
    "Risk: worried about the migration",
    "Champion left the company",
    "Bought an in-house solution",
    "Offer did not match their needs",
)
# Which objection tags fit each lost reason (by index above); the tags are Deal.Objection values.
LOST_REASON_TAGS = (
    ("price_value",),
    ("competitor", "price_value"),
    ("price_value", "timing"),
    ("timing",),
    ("no_decision",),
    ("contract_terms",),
    ("offer_content",),
    ("risk",),
    ("no_decision",),
    ("competitor", "offer_content"),
    ("offer_content",),
)

NEXT_STEPS = (
    "Send the revised proposal",
    "Book a demo with their IT team",
    "Call to confirm the budget",
    "Agree the contract terms with legal",
    "Send the case study",
    "Schedule the kick-off",
    "Follow up after the trial",
    "Meet the decision maker",
    "Prepare the ROI calculation",
    "Answer the security questionnaire",
    "Send references from similar customers",
    "Confirm the start date",
)

CALL_SUBJECTS = (
    "Discovery call",
    "Follow-up call",
    "Qualification call",
    "Check-in call",
    "Pricing call",
    "Call about the proposal",
)
CALL_OUTCOMES = (
    "Connected",
    "Left a voicemail",
    "No answer",
    "Interested, asked for details",
    "Asked to call back next week",
    "Agreed on the next meeting",
)
EMAIL_SUBJECTS = (
    "Introduction",
    "Proposal attached",
    "Case study you asked for",
    "Following up",
    "Meeting summary and next steps",
    "Pricing options",
    "Quick question",
)
REPLY_SUBJECTS = (
    "Re: Introduction",
    "Re: Proposal attached",
    "Re: Following up",
    "Re: Pricing options",
    "Re: Meeting summary and next steps",
)
MEETING_SUBJECTS = (
    "Product demo",
    "Intro meeting",
    "Workshop with the team",
    "Negotiation meeting",
    "Proposal walkthrough",
    "Trial review",
)
MEETING_OUTCOMES = (
    "Went well, next steps agreed",
    "They want a trial",
    "Need to involve procurement",
    "Concerns about the price",
    "Decision expected next month",
)
TASK_SUBJECTS = (
    "Prepare the proposal",
    "Update the quote",
    "Send the contract",
    "Check references",
    "Prepare the demo environment",
    "Send the invoice details",
)
NEXT_ACTIVITY_SUBJECTS = (
    "Follow-up call",
    "Send the proposal",
    "Demo",
    "Check in after trial",
    "Contract review call",
    "Send the case study",
)

CAMPAIGNS = (
    "Spring webinar",
    "Trade fair follow-up",
    "LinkedIn ads",
    "Newsletter",
    "Partner programme",
    "Google Ads: CRM",
    "E-book: pipeline guide",
    "Autumn promo",
)
DISQUALIFIED_REASONS = (
    "No budget",
    "Not the decision maker",
    "Bad timing",
    "Duplicate",
    "Chose a competitor",
    "Company too small",
    "Unresponsive after 5 touches",
    "score",
    "Student or job seeker",
)
NEEDS = (
    "Replace spreadsheets with a CRM",
    "Better forecast accuracy",
    "Track leads from the website",
    "Automate follow-ups",
    "Commission statements",
    "One view of all customer history",
    "Shorter sales cycle",
)
PAIN_POINTS = (
    "Deals get lost between reps",
    "No visibility into the pipeline",
    "Forecasts are guesses",
    "Slow response to new leads",
    "Reporting takes days every month",
    "Reps forget follow-ups",
)
TIMELINES = ("This quarter", "Next quarter", "Within 6 months", "Next year", "Not decided")
LEAD_TITLES = (
    "Interest in {p}",
    "Question about {p}",
    "Demo request: {p}",
    "Pricing enquiry: {p}",
    "{p} for the team",
)
