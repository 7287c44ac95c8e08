package sdk

import (
	"encoding/json"

	"github.com/gm-lhcr/lhcr/openapi/api"
)

// TestEveryModelIsReExported keeps this list in step with the contract.

// The FHIR resources, datatypes and developer API models, re-exported from the generated package
// openapi/api by type alias, so that users import only sdk. An alias is the same type: a value
// of sdk.Patient is an api.Patient. Enumerated fields (status, gender…) are named string types:
// assign them untyped constants (Status: "final").
type (
	// Address is [api.Address]: a postal address. UK addresses put the town in `city`, the county in `district` and the postcode in `postalCode`.
	Address = api.Address
	// AddressType is [api.AddressType].
	AddressType = api.AddressType
	// AddressUse is [api.AddressUse].
	AddressUse = api.AddressUse
	// AllergyIntolerance is [api.AllergyIntolerance].
	AllergyIntolerance = api.AllergyIntolerance
	// AllergyIntoleranceCategory is [api.AllergyIntoleranceCategory].
	AllergyIntoleranceCategory = api.AllergyIntoleranceCategory
	// AllergyIntoleranceCriticality is [api.AllergyIntoleranceCriticality].
	AllergyIntoleranceCriticality = api.AllergyIntoleranceCriticality
	// AllergyIntoleranceResourceType is [api.AllergyIntoleranceResourceType].
	AllergyIntoleranceResourceType = api.AllergyIntoleranceResourceType
	// AllergyIntoleranceType is [api.AllergyIntoleranceType].
	AllergyIntoleranceType = api.AllergyIntoleranceType
	// AllergyIntoleranceReaction is [api.AllergyIntoleranceReaction]: a reaction the patient had, with its manifestations (e.g. urticaria, anaphylaxis) and severity.
	AllergyIntoleranceReaction = api.AllergyIntoleranceReaction
	// AllergyIntoleranceReactionSeverity is [api.AllergyIntoleranceReactionSeverity].
	AllergyIntoleranceReactionSeverity = api.AllergyIntoleranceReactionSeverity
	// Annotation is [api.Annotation]: a note added by a person, with who wrote it and when.
	Annotation = api.Annotation
	// App is [api.App]: a registered application. Its `client_id` is what it presents at the token endpoint.
	App = api.App
	// AppAuthMethod is [api.AppAuthMethod]: how the app authenticates at the token endpoint. `client_secret` allows Basic and form posts; `private_key_jwt` requires a signed JWT.
	AppAuthMethod = api.AppAuthMethod
	// AppCreateRequest is [api.AppCreateRequest]: a new app. Unknown fields (`client_id`, an owner, grant types) are rejected, not obeyed.
	AppCreateRequest = api.AppCreateRequest
	// AppCredentials is [api.AppCredentials]: an app with its new client secret. The secret is shown this once; store it now.
	AppCredentials = api.AppCredentials
	// AppKeysRequest is [api.AppKeysRequest]: replaces the app's public keys with an inline JWKS or a JWKS URL (exactly one).
	AppKeysRequest = api.AppKeysRequest
	// AppList is [api.AppList].
	AppList = api.AppList
	// AppUpdateRequest is [api.AppUpdateRequest]: changes to an app; absent fields are left as they are.
	AppUpdateRequest = api.AppUpdateRequest
	// Bundle is [api.Bundle].
	Bundle = api.Bundle
	// BundleResourceType is [api.BundleResourceType].
	BundleResourceType = api.BundleResourceType
	// BundleType is [api.BundleType].
	BundleType = api.BundleType
	// BundleEntry is [api.BundleEntry]: one entry in a bundle; `fullUrl` is the absolute URL of `resource`.
	BundleEntry = api.BundleEntry
	// BundleEntryRequest is [api.BundleEntryRequest]: in a history bundle, the interaction that produced this version.
	BundleEntryRequest = api.BundleEntryRequest
	// BundleEntryRequestMethod is [api.BundleEntryRequestMethod].
	BundleEntryRequestMethod = api.BundleEntryRequestMethod
	// BundleEntryResponse is [api.BundleEntryResponse]: in a history bundle, the outcome of the interaction that produced this version.
	BundleEntryResponse = api.BundleEntryResponse
	// BundleEntrySearch is [api.BundleEntrySearch]: why this entry is in a search result.
	BundleEntrySearch = api.BundleEntrySearch
	// BundleEntrySearchMode is [api.BundleEntrySearchMode].
	BundleEntrySearchMode = api.BundleEntrySearchMode
	// BundleLink is [api.BundleLink]: a link about the bundle itself. In a searchset, `self` is the query as understood, `next` and `previous` page through the results.
	BundleLink = api.BundleLink
	// CapabilityStatement is [api.CapabilityStatement].
	CapabilityStatement = api.CapabilityStatement
	// CapabilityStatementKind is [api.CapabilityStatementKind].
	CapabilityStatementKind = api.CapabilityStatementKind
	// CapabilityStatementResourceType is [api.CapabilityStatementResourceType].
	CapabilityStatementResourceType = api.CapabilityStatementResourceType
	// CapabilityStatementStatus is [api.CapabilityStatementStatus].
	CapabilityStatementStatus = api.CapabilityStatementStatus
	// CapabilityStatementImplementation is [api.CapabilityStatementImplementation].
	CapabilityStatementImplementation = api.CapabilityStatementImplementation
	// CapabilityStatementInteraction is [api.CapabilityStatementInteraction].
	CapabilityStatementInteraction = api.CapabilityStatementInteraction
	// CapabilityStatementInteractionCode is [api.CapabilityStatementInteractionCode].
	CapabilityStatementInteractionCode = api.CapabilityStatementInteractionCode
	// CapabilityStatementOperation is [api.CapabilityStatementOperation].
	CapabilityStatementOperation = api.CapabilityStatementOperation
	// CapabilityStatementResource is [api.CapabilityStatementResource].
	CapabilityStatementResource = api.CapabilityStatementResource
	// CapabilityStatementResourceVersioning is [api.CapabilityStatementResourceVersioning].
	CapabilityStatementResourceVersioning = api.CapabilityStatementResourceVersioning
	// CapabilityStatementRest is [api.CapabilityStatementRest].
	CapabilityStatementRest = api.CapabilityStatementRest
	// CapabilityStatementRestMode is [api.CapabilityStatementRestMode].
	CapabilityStatementRestMode = api.CapabilityStatementRestMode
	// CapabilityStatementSecurity is [api.CapabilityStatementSecurity]: how clients authenticate. The SMART `oauth-uris` extension gives the token endpoint.
	CapabilityStatementSecurity = api.CapabilityStatementSecurity
	// CapabilityStatementSoftware is [api.CapabilityStatementSoftware].
	CapabilityStatementSoftware = api.CapabilityStatementSoftware
	// CodeableConcept is [api.CodeableConcept].
	CodeableConcept = api.CodeableConcept
	// Coding is [api.Coding].
	Coding = api.Coding
	// Condition is [api.Condition]: a problem, diagnosis or health concern (UK Core Condition), coded in SNOMED CT.
	Condition = api.Condition
	// ConditionResourceType is [api.ConditionResourceType].
	ConditionResourceType = api.ConditionResourceType
	// ContactPoint is [api.ContactPoint]: a telephone number, email address or other way to contact a person or organisation.
	ContactPoint = api.ContactPoint
	// ContactPointSystem is [api.ContactPointSystem].
	ContactPointSystem = api.ContactPointSystem
	// ContactPointUse is [api.ContactPointUse].
	ContactPointUse = api.ContactPointUse
	// Dosage is [api.Dosage]: how a medication is to be taken. `text` carries the full instruction as printed on the label.
	Dosage = api.Dosage
	// DosageDoseAndRate is [api.DosageDoseAndRate]: the amount of medication per dose.
	DosageDoseAndRate = api.DosageDoseAndRate
	// Encounter is [api.Encounter].
	Encounter = api.Encounter
	// EncounterResourceType is [api.EncounterResourceType].
	EncounterResourceType = api.EncounterResourceType
	// EncounterStatus is [api.EncounterStatus].
	EncounterStatus = api.EncounterStatus
	// EncounterDiagnosis is [api.EncounterDiagnosis]: a condition relevant to the encounter.
	EncounterDiagnosis = api.EncounterDiagnosis
	// EncounterParticipant is [api.EncounterParticipant]: a person who took part in the encounter, and in what role.
	EncounterParticipant = api.EncounterParticipant
	// Extension is [api.Extension].
	Extension = api.Extension
	// FHIRDate is [api.FHIRDate]: a FHIR `date`: a year (`1974`), a year and month (`1974-12`) or a full date (`1974-12-25`).
	FHIRDate = api.FHIRDate
	// FHIRDateTime is [api.FHIRDateTime].
	FHIRDateTime = api.FHIRDateTime
	// FHIRID is [api.FHIRID].
	FHIRID = api.FHIRID
	// HumanName is [api.HumanName]: a person's name. `family` is the surname; `given` holds first and middle names in order.
	HumanName = api.HumanName
	// HumanNameUse is [api.HumanNameUse].
	HumanNameUse = api.HumanNameUse
	// Identifier is [api.Identifier].
	Identifier = api.Identifier
	// IdentifierUse is [api.IdentifierUse].
	IdentifierUse = api.IdentifierUse
	// Immunization is [api.Immunization].
	Immunization = api.Immunization
	// ImmunizationResourceType is [api.ImmunizationResourceType].
	ImmunizationResourceType = api.ImmunizationResourceType
	// ImmunizationStatus is [api.ImmunizationStatus].
	ImmunizationStatus = api.ImmunizationStatus
	// ImmunizationPerformer is [api.ImmunizationPerformer]: who gave the vaccine.
	ImmunizationPerformer = api.ImmunizationPerformer
	// ImmunizationProtocolApplied is [api.ImmunizationProtocolApplied]: which dose of which series this was, e.g. dose 2 of the MMR schedule.
	ImmunizationProtocolApplied = api.ImmunizationProtocolApplied
	// JWK is [api.JWK]: one public key (RFC 7517). RSA keys carry `n` and `e`; EC keys `crv`, `x` and `y`. Never send private members (`d`, `p`, `q`…).
	JWK = api.JWK
	// JWKAlg is [api.JWKAlg].
	JWKAlg = api.JWKAlg
	// JWKKty is [api.JWKKty].
	JWKKty = api.JWKKty
	// JWKS is [api.JWKS]: a JSON Web Key Set, the public keys an app signs its client assertions with.
	JWKS = api.JWKS
	// MedicationRequest is [api.MedicationRequest].
	MedicationRequest = api.MedicationRequest
	// MedicationRequestIntent is [api.MedicationRequestIntent].
	MedicationRequestIntent = api.MedicationRequestIntent
	// MedicationRequestPriority is [api.MedicationRequestPriority].
	MedicationRequestPriority = api.MedicationRequestPriority
	// MedicationRequestResourceType is [api.MedicationRequestResourceType].
	MedicationRequestResourceType = api.MedicationRequestResourceType
	// MedicationRequestStatus is [api.MedicationRequestStatus].
	MedicationRequestStatus = api.MedicationRequestStatus
	// MedicationRequestDispenseRequest is [api.MedicationRequestDispenseRequest]: how much to supply, how many repeats, and for how long.
	MedicationRequestDispenseRequest = api.MedicationRequestDispenseRequest
	// Meta is [api.Meta].
	Meta = api.Meta
	// Narrative is [api.Narrative]: a human-readable XHTML summary of the resource.
	Narrative = api.Narrative
	// NarrativeStatus is [api.NarrativeStatus].
	NarrativeStatus = api.NarrativeStatus
	// OAuthError is [api.OAuthError]: an RFC 6749 error. `error_description` says which check failed.
	OAuthError = api.OAuthError
	// OAuthErrorError is [api.OAuthErrorError].
	OAuthErrorError = api.OAuthErrorError
	// Observation is [api.Observation].
	Observation = api.Observation
	// ObservationResourceType is [api.ObservationResourceType].
	ObservationResourceType = api.ObservationResourceType
	// ObservationStatus is [api.ObservationStatus].
	ObservationStatus = api.ObservationStatus
	// ObservationComponent is [api.ObservationComponent]: one part of a multi-part observation, e.g. the systolic and diastolic parts of a blood pressure.
	ObservationComponent = api.ObservationComponent
	// ObservationReferenceRange is [api.ObservationReferenceRange]: the normal range for the value, as the lab reported it.
	ObservationReferenceRange = api.ObservationReferenceRange
	// OperationOutcome is [api.OperationOutcome].
	OperationOutcome = api.OperationOutcome
	// OperationOutcomeResourceType is [api.OperationOutcomeResourceType].
	OperationOutcomeResourceType = api.OperationOutcomeResourceType
	// OperationOutcomeIssue is [api.OperationOutcomeIssue]: one problem. `code` is the machine-readable kind (FHIR IssueType); `diagnostics` tells a person what went wrong and how to fix it.
	OperationOutcomeIssue = api.OperationOutcomeIssue
	// OperationOutcomeIssueCode is [api.OperationOutcomeIssueCode].
	OperationOutcomeIssueCode = api.OperationOutcomeIssueCode
	// OperationOutcomeIssueSeverity is [api.OperationOutcomeIssueSeverity].
	OperationOutcomeIssueSeverity = api.OperationOutcomeIssueSeverity
	// Organization is [api.Organization].
	Organization = api.Organization
	// OrganizationResourceType is [api.OrganizationResourceType].
	OrganizationResourceType = api.OrganizationResourceType
	// Patient is [api.Patient].
	Patient = api.Patient
	// PatientGender is [api.PatientGender]: administrative gender.
	PatientGender = api.PatientGender
	// PatientResourceType is [api.PatientResourceType].
	PatientResourceType = api.PatientResourceType
	// PatientCommunication is [api.PatientCommunication]: a language the patient speaks, and whether it is preferred (UK Core uses it for interpreter needs).
	PatientCommunication = api.PatientCommunication
	// PatientContact is [api.PatientContact]: a contact party (next of kin, carer, guardian) for the patient.
	PatientContact = api.PatientContact
	// PatientContactGender is [api.PatientContactGender].
	PatientContactGender = api.PatientContactGender
	// PatientLink is [api.PatientLink]: a link to another Patient record for the same person, e.g. after a superseded NHS number was merged.
	PatientLink = api.PatientLink
	// PatientLinkType is [api.PatientLinkType].
	PatientLinkType = api.PatientLinkType
	// Period is [api.Period]: a time range; an absent `end` means ongoing.
	Period = api.Period
	// Practitioner is [api.Practitioner].
	Practitioner = api.Practitioner
	// PractitionerGender is [api.PractitionerGender].
	PractitionerGender = api.PractitionerGender
	// PractitionerResourceType is [api.PractitionerResourceType].
	PractitionerResourceType = api.PractitionerResourceType
	// PractitionerQualification is [api.PractitionerQualification]: a qualification, e.g. registration with the GMC, with its identifier.
	PractitionerQualification = api.PractitionerQualification
	// Quantity is [api.Quantity].
	Quantity = api.Quantity
	// QuantityComparator is [api.QuantityComparator].
	QuantityComparator = api.QuantityComparator
	// Range is [api.Range]: a range of quantities, for example a reference range's low and high.
	Range = api.Range
	// Reference is [api.Reference].
	Reference = api.Reference
	// RequestLog is [api.RequestLog].
	RequestLog = api.RequestLog
	// RequestLogEntry is [api.RequestLogEntry]: one request an app made to the FHIR API.
	RequestLogEntry = api.RequestLogEntry
	// Resource is [api.Resource].
	Resource = api.Resource
	// SmartConfiguration is [api.SmartConfiguration]: SMART App Launch discovery document; clients read `token_endpoint` from it rather than hard-coding it.
	SmartConfiguration = api.SmartConfiguration
	// Timing is [api.Timing]: when a medication is to be taken.
	Timing = api.Timing
	// TimingRepeat is [api.TimingRepeat]: how often an event repeats, e.g. `frequency` 2 per `period` 1 `periodUnit` d = twice a day.
	TimingRepeat = api.TimingRepeat
	// TimingRepeatPeriodUnit is [api.TimingRepeatPeriodUnit].
	TimingRepeatPeriodUnit = api.TimingRepeatPeriodUnit
)

// Number is a FHIR decimal as the server sent it (a json.Number), so that precision is kept:
// "7.10" stays "7.10". Read it with its Float64 method, or ObservationValue.
type Number = json.Number
